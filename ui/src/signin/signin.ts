// Sign-in screen: user name + password, errors in plain words from the core.
import { backend } from "../backend/api";
import type { SignedInUser } from "../backend/types";
import { byId, showMessage } from "../shell/dom";

export function initSignIn(onSignedIn: (user: SignedInUser) => void): void {
  const form = byId<HTMLFormElement>("signin-form");
  const username = byId<HTMLInputElement>("username");
  const password = byId<HTMLInputElement>("password");
  const submit = byId<HTMLButtonElement>("signin-submit");
  const error = byId("signin-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage(error, null);
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      const user = await backend.signIn(username.value, password.value);
      password.value = "";
      onSignedIn(user);
    } catch (e) {
      const err = e as { code: string; message: string };
      showMessage(error, err.message);
      // Keep the user name; clear and refocus the password so a retry is one step.
      if (err.code === "wrong_credentials") {
        password.value = "";
        password.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
}

export function focusSignIn(): void {
  const username = byId<HTMLInputElement>("username");
  (username.value ? byId<HTMLInputElement>("password") : username).focus();
}
