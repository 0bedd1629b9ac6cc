// Browser sign-in, relayed by the records server to Cognito (`/v1/session/...`), and the
// bearer token every other call carries. Tokens and the challenge's session string live in
// this module's memory only: never web storage, IndexedDB or a cookie, so a reload (or a
// closed tab) means signing in again.
import { checked, errorOf, fetchOrUnreachable, headersOf, jsonBody, publicJson } from "./web-http";
import type {
  ChallengeToken,
  IssuedTokens,
  RefreshRequest,
  SessionAnswer,
  SignInRequest,
  SignInResult,
  SignOutRequest,
  SignedInUser,
  UiError,
} from "./types";

let access: string | null = null;
let refreshToken: string | null = null;
let user: SignedInUser | null = null;
/** The challenge awaiting its answer (new password, TOTP code, enrolment). */
let challenge: ChallengeToken | null = null;
let locked = false;
/** One refresh at a time: requests failing together wait for the same one. */
let refreshing: Promise<void> | null = null;
/** Called whenever the session ends (sign-out, expiry, a new sign-in): forget what it saw. */
const endedListeners: (() => void)[] = [];

const NOT_SIGNED_IN: UiError = {
  code: "unauthenticated",
  message: "You are not signed in, or your session has ended. Please sign in again",
};
const CHALLENGE_GONE: UiError = {
  code: "unauthenticated",
  message: "Sign-in took too long and has expired. Please sign in again",
};
const LOCKED: UiError = { code: "locked", message: "Chartdesk is locked. Enter your password to continue" };
const UNSUPPORTED_UNLOCK: UiError = {
  code: "wrong_credentials",
  message: "The sign-in service asked for a step this version does not support (unlock)",
};

export function onSessionEnded(listener: () => void): void {
  endedListeners.push(listener);
}

function forget(): void {
  access = null;
  refreshToken = null;
  user = null;
  challenge = null;
  locked = false;
  refreshing = null;
  for (const listener of endedListeners) listener();
}

function keepTokens(tokens: IssuedTokens | null | undefined): void {
  if (!tokens?.access_token) throw { code: "internal", message: "The sign-in answer had no token" } satisfies UiError;
  access = tokens.access_token;
  // A refresh answer may leave the refresh token out: the old one stays valid.
  refreshToken = tokens.refresh_token ?? refreshToken;
}

/** Keeps what the answer carries (tokens once signed in, else the next challenge). */
function take(answer: SessionAnswer): SignInResult {
  if (answer.result.kind === "signed_in") {
    keepTokens(answer.tokens);
    user = answer.result.user;
    challenge = null;
    locked = false;
  } else {
    challenge = answer.challenge ?? null;
  }
  return answer.result;
}

export async function signIn(username: string, password: string): Promise<SignInResult> {
  // A new sign-in starts clean: nothing of an earlier user's session carries over.
  if (access || challenge) forget();
  return take(await publicJson<SessionAnswer>("/v1/session", jsonBody({ username, password } satisfies SignInRequest)));
}

/** Answers the challenge held; an expired one sends the user back to the sign-in form. */
async function answer(path: string, body: Record<string, unknown>): Promise<SignInResult> {
  const held = challenge;
  if (!held) throw CHALLENGE_GONE;
  try {
    return take(await publicJson<SessionAnswer>(path, jsonBody({ challenge: held, ...body })));
  } catch (e) {
    if ((e as UiError).code === "unauthenticated") challenge = null;
    throw e;
  }
}

export const completeNewPassword = (newPassword: string, confirm: string) =>
  answer("/v1/session/new-password", { new_password: newPassword, confirm });
export const completeTotp = (code: string) => answer("/v1/session/totp", { code });
export const completeMfaSetup = (code: string) => answer("/v1/session/mfa-setup", { code });

/** Forgets the session at once, then revokes the refresh token (best effort: signing out
 * never fails, even offline). */
export async function signOut(): Promise<void> {
  const revoke = refreshToken;
  const ending = access;
  forget();
  if (!revoke) return;
  // The access token too: where revoking the refresh token is not confirmed, the server signs
  // the user out globally with it, so the old access token stops working at once.
  const headers: Record<string, string> = ending ? { authorization: `Bearer ${ending}` } : {};
  await fetchOrUnreachable("/v1/session/sign-out", jsonBody({ refresh_token: revoke } satisfies SignOutRequest, { headers })).catch(
    () => undefined,
  );
}

/** While locked, no record request leaves the page (as the window's core refuses them). */
export async function lockSession(): Promise<void> {
  if (user) locked = true;
}

/** The signed-in user's password, checked by a fresh sign-in. As in the window, an MFA
 * user's password alone unlocks: the second factor was proved at sign-in. */
export async function unlockSession(password: string): Promise<SignedInUser> {
  const current = user;
  if (!current) throw NOT_SIGNED_IN;
  const result = await publicJson<SessionAnswer>(
    "/v1/session",
    jsonBody({ username: current.username, password } satisfies SignInRequest),
  );
  if (result.result.kind === "signed_in") {
    keepTokens(result.tokens);
    user = result.result.user;
  } else if (result.result.kind !== "totp_required") {
    throw UNSUPPORTED_UNLOCK;
  }
  locked = false;
  return { ...(user ?? current), locked: false };
}

/** Trades the refresh token for a new access token; a refusal ends the session. */
function refresh(stale: string): Promise<void> {
  if (access !== stale) return Promise.resolve(); // another request refreshed meanwhile
  refreshing ??= (async () => {
    const username = user?.username;
    if (!refreshToken || !username) throw NOT_SIGNED_IN;
    const response = await fetchOrUnreachable(
      "/v1/session/refresh",
      jsonBody({ username, refresh_token: refreshToken } satisfies RefreshRequest),
    );
    if (!response.ok) throw await errorOf(response);
    const answer = (await response.json()) as SessionAnswer;
    keepTokens(answer.tokens);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A request with the bearer token. A 401 refreshes once and retries; a second 401 (or a
 * refused refresh) ends the session with `unauthenticated`. Errors come back as UiError. */
export async function withToken(path: string, init: RequestInit = {}): Promise<Response> {
  if (locked) throw LOCKED;
  const send = (token: string) =>
    fetchOrUnreachable(path, { ...init, headers: { ...headersOf(init), authorization: `Bearer ${token}` } });
  const first = access;
  if (!first) throw NOT_SIGNED_IN;
  let response = await send(first);
  if (response.status === 401) {
    try {
      await refresh(first);
    } catch (e) {
      const err = e as UiError;
      // The server (or its sign-in service) is not there just now: the session stays.
      if (err.code === "unreachable" || err.code === "unavailable") throw err;
      forget();
      throw err.code === "unauthenticated" ? err : NOT_SIGNED_IN;
    }
    if (!access) throw NOT_SIGNED_IN;
    response = await send(access);
    if (response.status === 401) {
      const err = await errorOf(response);
      forget();
      throw err.code === "unauthenticated" ? err : NOT_SIGNED_IN;
    }
  }
  return checked(response);
}

/** The signed-in user (tests and the lock screen). */
export const signedInUser = (): SignedInUser | null => (user ? { ...user, locked } : null);
