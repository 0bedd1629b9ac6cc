// Second step for users with an authenticator app: the 6-digit code (typed or pasted).
// The same form enrols a new authenticator when the pool requires MFA (QR code and key shown).
import { backend } from "../backend/api";
import type { SignInResult, UiError } from "../backend/types";
import { byId, show, showFieldError } from "../shell/dom";

let enrolling = false;
import type { OnSignInResult } from "./signin";

export function initTotp(onResult: OnSignInResult, onCancel: (message: string | null) => void): void {
  const form = byId<HTMLFormElement>("totp-form");
  const code = byId<HTMLInputElement>("totp-code");
  const submit = byId<HTMLButtonElement>("totp-submit");
  const error = byId("totp-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldError(error, null, [code]);
    submit.disabled = true;
    try {
      const result = enrolling ? await backend.completeMfaSetup(code.value) : await backend.completeTotp(code.value);
      code.value = "";
      onResult(result);
    } catch (e) {
      const err = e as UiError;
      code.value = "";
      if (err.code === "unauthenticated") {
        onCancel(err.message);
        return;
      }
      showFieldError(error, err.message, [code]);
      code.focus();
    } finally {
      submit.disabled = false;
    }
  });
  byId("totp-cancel").addEventListener("click", () => {
    code.value = "";
    showFieldError(error, null, [code]);
    onCancel(null);
  });
}

type TotpStep = Extract<SignInResult, { kind: "totp_required" } | { kind: "mfa_setup_required" }>;

export function showTotpForm(result: TotpStep): void {
  enrolling = result.kind === "mfa_setup_required";
  byId("totp-user").textContent = result.username;
  show(byId("totp-intro"), !enrolling);
  show(byId("totp-enrol"), enrolling);
  if (result.kind === "mfa_setup_required") {
    byId<HTMLImageElement>("totp-qr").src = `data:image/svg+xml;base64,${btoa(result.qr_svg)}`;
    byId("totp-secret").textContent = result.secret;
  }
  byId<HTMLInputElement>("totp-code").focus();
}
