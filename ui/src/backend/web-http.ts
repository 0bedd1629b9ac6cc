// HTTPS to the records server (same origin, `/v1/...`): requests, and the server's
// `{code, message}` errors as UiErrors. The code is the server's own (`ApiErrorCode`, which the
// window's core passes through unchanged too): nothing here translates it.
import type { ApiErrorCode, ErrorBody, SearchChoice, UiError } from "./types";

export const UNREACHABLE: UiError = {
  code: "unreachable",
  message: "Cannot reach the records server. Check the network connection",
};

/** A server error body (`{code, message}`) as a UiError; the server's code and words are kept. */
export function uiErrorFrom(body: unknown, status = 0): UiError {
  // Read defensively: a proxy's page or a truncated answer is not an ErrorBody.
  const b = (typeof body === "object" && body !== null ? body : {}) as Partial<Record<keyof ErrorBody, unknown>>;
  const message = typeof b.message === "string" && b.message ? b.message : null;
  if (b.code === undefined && (status === 502 || status === 503 || status === 504)) {
    // A proxy in front of the server answered: the server itself is not there.
    return UNREACHABLE;
  }
  const error: UiError = {
    code: typeof b.code === "string" && b.code ? (b.code as ApiErrorCode) : "internal",
    message: message ?? `Something went wrong on the records server${status ? ` (HTTP ${status})` : ""}`,
  };
  const choices = searchChoices(b.choices);
  if (choices) error.choices = choices;
  return error;
}

/** An ambiguity's readings as the server words them (`ErrorBody.choices`), if well formed. */
function searchChoices(value: unknown): SearchChoice[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const ok = value.every(
    (c: unknown) =>
      typeof c === "object" &&
      c !== null &&
      typeof (c as SearchChoice).label === "string" &&
      typeof (c as SearchChoice).query === "string",
  );
  return ok ? value.map((c: SearchChoice) => ({ label: c.label, query: c.query })) : null;
}

/** The error a failed answer carries (its JSON body when it has one). */
export async function errorOf(response: Response): Promise<UiError> {
  const body: unknown = await response.json().catch(() => null);
  return uiErrorFrom(body, response.status);
}

/** fetch, with a network failure (no answer at all) reported as "unreachable". */
export async function fetchOrUnreachable(input: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw UNREACHABLE;
  }
}

/** The answer if it succeeded (2xx or 304), else its error. */
export async function checked(response: Response): Promise<Response> {
  if (response.ok || response.status === 304) return response;
  throw await errorOf(response);
}

/** A JSON request body. */
export function jsonBody(body: unknown, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    method: init.method ?? "POST",
    headers: { ...headersOf(init), "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

export function headersOf(init: RequestInit): Record<string, string> {
  return Object.fromEntries(new Headers(init.headers).entries());
}

/** A request that needs no token (health, client config, sign-in). */
export async function publicJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await checked(await fetchOrUnreachable(path, init));
  return (await response.json()) as T;
}

/** A path segment (an MRN, a document id). */
export const seg = (s: string): string => encodeURIComponent(s);

/** Lower-case hex SHA-256. Views over the bytes keep jsdom's test realm happy too. */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", view));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
