// Shared by the web transport's tests (never imported by the app): a stand-in for the records
// server and S3 behind a stubbed `fetch`, recording every request the page makes.
import { vi } from "vitest";

export type Seen = { method: string; url: string; headers: Record<string, string>; body: unknown };
type Reply = Response | (() => Response | Promise<Response>);
type Route = { method: string; path: RegExp; reply: (seen: Seen) => Reply };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function fakeServer() {
  const routes: Route[] = [];
  const seen: Seen[] = [];
  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const text = typeof init.body === "string" ? init.body : null;
    const request: Seen = { method, url: String(input), headers, body: text ? JSON.parse(text) : init.body };
    seen.push(request);
    // The newest matching route wins, so a test can override a default.
    const route = [...routes].reverse().find((r) => r.method === method && r.path.test(request.url));
    if (!route) return json({ code: "not_found", message: `no fake route for ${method} ${request.url}` }, 404);
    const reply = route.reply(request);
    return typeof reply === "function" ? reply() : reply;
  });
  vi.stubGlobal("fetch", fetch);
  return {
    seen,
    fetch,
    on(method: string, path: RegExp, reply: (seen: Seen) => Reply) {
      routes.push({ method, path, reply });
    },
    /** Requests whose URL matches. */
    to: (path: RegExp) => seen.filter((s) => path.test(s.url)),
  };
}

export const user = { username: "dr.okafor", roles: ["clinician"], roles_label: "Clinician", locked: false };

export function signedIn(access = "access-1", refresh = "refresh-1") {
  return json({
    result: { kind: "signed_in", user },
    tokens: { access_token: access, id_token: "id", refresh_token: refresh, expires_in_seconds: 3600 },
  });
}

const MiB = 1024 * 1024;

/** The server's `/v1/client-config` with its defaults, changed where a test says. */
export function clientConfig(changes: Record<string, unknown> = {}) {
  return json({
    version: "0.9.0",
    sandbox: true,
    idle_lock_seconds: 300,
    break_glass_reasons: [],
    mrn_pattern: "^[0-9]{6,12}$",
    max_upload_bytes: 50 * MiB,
    accepted_types: ["application/pdf", "image/jpeg", "image/png", "image/tiff"].map((t) => ({ content_type: t, extensions: [] })),
    preop_image_limit: 3,
    // Parts from 8 MiB (the real default is 64): the multipart tests stay small.
    upload: { multipart_threshold: 8 * MiB, part_size: 8 * MiB, parallel_parts: 4, attempts: 3 },
    ...changes,
  });
}
