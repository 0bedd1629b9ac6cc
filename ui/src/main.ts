// Start-up and navigation between sign-in, no-access and patient screens.
import { backend, platform } from "./backend/api";
import type { SignInResult, SignedInUser, UiError } from "./backend/types";
import { initCategoryList, reloadCategory } from "./documents/category-list";
import { initUpload, markSent } from "./documents/upload";
import { initViewer } from "./documents/viewer";
import { focusPatientSearch, initPatientSearch, openPatientByMrn, refreshPatient, resetPatientSearch } from "./patient/search";
import { offerVirusAlerts, resetVirusAlerts } from "./patient/virus-alerts";
import { byId, show, showMessage } from "./shell/dom";
import { initOffline, showOutbox } from "./shell/offline";
import { applyPlatform } from "./shell/platform-view";
import { armIdleLock, disarmIdleLock, initIdleLock } from "./signin/idle-lock";
import { initNewPassword, showNewPasswordForm } from "./signin/new-password";
import { focusSignIn, initSignIn } from "./signin/signin";
import { initTotp, showTotpForm } from "./signin/totp";

const VIEWS = ["signin-view", "new-password-view", "totp-view", "no-access-view", "patient-view"] as const;

/** Exactly one main view is visible at a time. */
function showView(id: (typeof VIEWS)[number]): void {
  for (const v of VIEWS) show(byId(v), v === id);
}

function onSignInResult(result: SignInResult): void {
  switch (result.kind) {
    case "signed_in":
      showSignedIn(result.user);
      break;
    case "new_password_required":
      showView("new-password-view");
      showNewPasswordForm(result);
      break;
    case "totp_required":
    case "mfa_setup_required":
      showView("totp-view");
      showTotpForm(result);
      break;
  }
}

function showSignedIn(user: SignedInUser): void {
  byId("user-name").textContent = user.username;
  byId("user-roles").textContent = user.roles_label;
  show(byId("user-box"), true);
  const hasAccess = user.roles.length > 0;
  showView(hasAccess ? "patient-view" : "no-access-view");
  armIdleLock(user);
  if (hasAccess && !user.locked) focusPatientSearch();
  if (hasAccess) void offerVirusAlerts(user, openPatientByMrn);
}

function showSignedOut(message: string | null = null): void {
  disarmIdleLock();
  resetPatientSearch();
  resetVirusAlerts();
  show(byId("user-box"), false);
  showView("signin-view");
  focusSignIn(message);
}

async function signOut(): Promise<void> {
  const message = await backend.signOut().then(
    () => null,
    (e: UiError) => e.message,
  );
  showSignedOut(message);
}

async function start(): Promise<void> {
  applyPlatform(platform);
  initSignIn(onSignInResult);
  initNewPassword(onSignInResult, showSignedOut);
  initTotp(onSignInResult, showSignedOut);
  initCategoryList(() => void refreshPatient());
  initUpload(
    () => {
      void refreshPatient();
      void reloadCategory();
    },
    () => void showOutbox(),
  );
  initOffline((sent) => {
    markSent(sent);
    void refreshPatient();
    void reloadCategory();
  });
  initViewer();
  initPatientSearch(() => showSignedOut("Your session has ended. Please sign in again."));
  byId("sign-out").addEventListener("click", () => void signOut());
  byId("clear-offline").addEventListener("click", async () => {
    const status = byId("clear-offline-status");
    status.textContent = await backend.clearOfflineData().then(
      () => "Offline data cleared (uploads still waiting are kept).",
      (e: UiError) => e.message,
    );
  });

  const info = await backend.appInfo();
  initIdleLock(info.idle_lock_seconds, showSignedIn, () => void signOut());
  byId("status-profile").textContent =
    `Profile: ${info.profile}${info.sandbox ? " (local sandbox: demo data only)" : ""} · v${info.version}`;
  if (info.startup_error) {
    showMessage(byId("startup-error"), info.startup_error.message);
    return;
  }
  // A session kept in the keychain signs the last user straight back in.
  try {
    const user = await backend.resumeSession();
    if (user) showSignedIn(user);
    else showSignedOut();
  } catch (e) {
    showSignedOut((e as UiError).message);
  }
}

start().catch((e) => showMessage(byId("startup-error"), `Chartdesk could not start: ${String(e)}`));
