// Second step for users with an authenticator app: the 6-digit code (typed or pasted).
import { backend } from "../backend/api";
import type { SignInResult, UiError } from "../backend/types";
import { byId, showMessage } from "../shell/dom";
import type { OnSignInResult } from "./signin";

export function initTotp(onResult: OnSignInResult, onCancel: (message: string | null) => void): void {
  const form = byId<HTMLFormElement>("totp-form");
  const code = byId<HTMLInputElement>("totp-code");
  const submit = byId<HTMLButtonElement>("totp-submit");
  const error = byId("totp-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage(error, null);
    submit.disabled = true;
    try {
      const result = await backend.completeTotp(code.value);
      code.value = "";
      onResult(result);
    } catch (e) {
      const err = e as UiError;
      code.value = "";
      if (err.code === "not_signed_in") {
        onCancel(err.message);
        return;
      }
      showMessage(error, err.message);
      code.focus();
    } finally {
      submit.disabled = false;
    }
  });
  byId("totp-cancel").addEventListener("click", () => {
    code.value = "";
    showMessage(error, null);
    onCancel(null);
  });
}

export function showTotpForm(result: Extract<SignInResult, { kind: "totp_required" }>): void {
  byId("totp-user").textContent = result.username;
  byId<HTMLInputElement>("totp-code").focus();
}
