// First sign-in of an admin-created account: choose a new password against the pool's rules.
import { backend } from "../backend/api";
import type { SignInResult, UiError } from "../backend/types";
import { byId, el, showFieldError } from "../shell/dom";
import type { OnSignInResult } from "./signin";

export function initNewPassword(onResult: OnSignInResult, onCancel: (message: string | null) => void): void {
  const form = byId<HTMLFormElement>("new-password-form");
  const fresh = byId<HTMLInputElement>("new-password");
  const confirm = byId<HTMLInputElement>("confirm-password");
  const submit = byId<HTMLButtonElement>("new-password-submit");
  const error = byId("new-password-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldError(error, null, [fresh, confirm]);
    submit.disabled = true;
    try {
      const result = await backend.completeNewPassword(fresh.value, confirm.value);
      clear();
      onResult(result);
    } catch (e) {
      const err = e as UiError;
      if (err.code === "unauthenticated") {
        clear();
        onCancel(err.message);
        return;
      }
      showFieldError(error, err.message, [fresh, confirm]);
      fresh.focus();
      fresh.select();
    } finally {
      submit.disabled = false;
    }
  });
  byId("new-password-cancel").addEventListener("click", () => {
    clear();
    onCancel(null);
  });

  function clear(): void {
    fresh.value = "";
    confirm.value = "";
    showFieldError(error, null, [fresh, confirm]);
  }
}

export function showNewPasswordForm(result: Extract<SignInResult, { kind: "new_password_required" }>): void {
  byId("new-password-user").textContent = result.username;
  byId("new-password-rules").replaceChildren(...result.rules.map((r) => el("li", { text: r })));
  byId<HTMLInputElement>("new-password").focus();
}
