// Idle lock: after the profile's idle time without keyboard or pointer use, the core locks the
// session (it then refuses every record request) and the window blurs behind a password prompt.
import { backend } from "../backend/api";
import type { SignedInUser, UiError } from "../backend/types";
import { byId, show, showFieldError } from "../shell/dom";
import { inertOutside } from "../shell/inert";

const ACTIVITY_EVENTS = ["keydown", "mousedown", "mousemove", "wheel", "touchstart"] as const;

let idleMs = 300_000;
let lastActivity = Date.now();
let active = false; // a user is signed in and the lock is armed
let locked = false;
/** Gives back what the lock made inert: everything but the lock screen, while it shows. */
let releaseBehind: (() => void) | null = null;

export function initIdleLock(idleSeconds: number, onUnlocked: (user: SignedInUser) => void, onSignOut: () => void): void {
  idleMs = idleSeconds * 1000;
  for (const name of ACTIVITY_EVENTS) {
    window.addEventListener(name, () => {
      if (!locked) lastActivity = Date.now();
    }, { passive: true, capture: true });
  }
  window.setInterval(() => {
    if (active && !locked && Date.now() - lastActivity >= idleMs) void lockNow();
  }, 1000);

  const form = byId<HTMLFormElement>("lock-form");
  const password = byId<HTMLInputElement>("lock-password");
  const error = byId("lock-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldError(error, null, [password]);
    try {
      const user = await backend.unlockSession(password.value);
      password.value = "";
      setLocked(false);
      onUnlocked(user);
    } catch (e) {
      const err = e as UiError;
      password.value = "";
      showFieldError(error, err.message, [password]);
      password.focus();
    }
  });
  byId("lock-sign-out").addEventListener("click", () => {
    password.value = "";
    setLocked(false);
    onSignOut();
  });
}

/** Arms the lock for a signed-in user (or shows it at once if the session is already locked). */
export function armIdleLock(user: SignedInUser): void {
  active = true;
  lastActivity = Date.now();
  byId("lock-user").textContent = user.username;
  setLocked(user.locked);
}

export function disarmIdleLock(): void {
  active = false;
  setLocked(false);
}

async function lockNow(): Promise<void> {
  setLocked(true);
  await backend.lockSession().catch(() => undefined);
}

function setLocked(value: boolean): void {
  locked = value;
  show(byId("lock-view"), value);
  byId("main").classList.toggle("locked-content", value);
  if (value) releaseBehind ??= inertOutside(byId("lock-view"));
  else {
    releaseBehind?.();
    releaseBehind = null;
  }
  if (value) {
    showFieldError(byId("lock-error"), null, [byId("lock-password")]);
    byId<HTMLInputElement>("lock-password").focus();
  } else {
    lastActivity = Date.now();
  }
}
