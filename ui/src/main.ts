// Start-up and navigation between sign-in, no-access and patient screens.
import { backend } from "./backend/api";
import type { SignedInUser } from "./backend/types";
import { focusPatientSearch, initPatientSearch, resetPatientSearch } from "./patient/search";
import { byId, show, showMessage } from "./shell/dom";
import { focusSignIn, initSignIn } from "./signin/signin";

const ROLE_NAMES: Record<string, string> = {
  clinician: "Clinician",
  ward_staff: "Ward staff",
  records_admin: "Records admin",
};

function showSignedIn(user: SignedInUser): void {
  byId("user-name").textContent = user.username;
  byId("user-roles").textContent = user.roles.map((r) => ROLE_NAMES[r] ?? r).join(", ") || "No group";
  show(byId("user-box"), true);
  show(byId("signin-view"), false);
  const hasAccess = user.roles.length > 0;
  show(byId("no-access-view"), !hasAccess);
  show(byId("patient-view"), hasAccess);
  if (hasAccess) focusPatientSearch();
}

function showSignedOut(): void {
  resetPatientSearch();
  show(byId("user-box"), false);
  show(byId("patient-view"), false);
  show(byId("no-access-view"), false);
  show(byId("signin-view"), true);
  focusSignIn();
}

async function start(): Promise<void> {
  initSignIn(showSignedIn);
  initPatientSearch(showSignedOut);
  byId("sign-out").addEventListener("click", async () => {
    await backend.signOut().catch(() => undefined);
    showSignedOut();
  });

  const info = await backend.appInfo();
  byId("status-profile").textContent =
    `Profile: ${info.profile}${info.sandbox ? " (local sandbox: demo data only)" : ""} · v${info.version}`;
  if (info.startup_error) {
    showMessage(byId("startup-error"), info.startup_error.message);
    return;
  }
  const user = await backend.currentUser().catch(() => null);
  if (user) showSignedIn(user);
  else showSignedOut();
}

start().catch((e) => showMessage(byId("startup-error"), `Chartdesk could not start: ${String(e)}`));
