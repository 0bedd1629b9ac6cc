// Sign-in screen: user name + password, errors in plain words from the core.
import { backend } from "../backend/api";
import type { SignInResult, UiError } from "../backend/types";
import { byId, showFieldError, showMessage } from "../shell/dom";

/** Called with every sign-in outcome: signed in, or a challenge to show. */
export type OnSignInResult = (result: SignInResult) => void;

export function initSignIn(onResult: OnSignInResult): void {
  const form = byId<HTMLFormElement>("signin-form");
  const username = byId<HTMLInputElement>("username");
  const password = byId<HTMLInputElement>("password");
  const submit = byId<HTMLButtonElement>("signin-submit");
  const error = byId("signin-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldError(error, null, [username, password]);
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      const result = await backend.signIn(username.value, password.value);
      password.value = "";
      onResult(result);
    } catch (e) {
      const err = e as UiError;
      showFieldError(error, err.message, [username, password]);
      // Keep the user name; clear and refocus the password so a retry is one step.
      if (err.code === "wrong_credentials" || err.code === "too_many_attempts") {
        password.value = "";
        password.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
}

/** Shows the sign-in form, optionally with why the user is back here. */
export function focusSignIn(message: string | null = null): void {
  const username = byId<HTMLInputElement>("username");
  // Why the user is back (a session that ended) is about neither field.
  showFieldError(byId("signin-error"), null, [username, byId("password")]);
  showMessage(byId("signin-error"), message);
  (username.value ? byId<HTMLInputElement>("password") : username).focus();
}
