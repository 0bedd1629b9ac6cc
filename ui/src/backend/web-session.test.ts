// Browser sign-in over the records server: tokens in memory only, one refresh on a 401, the
// challenge carried between steps, and sign-out forgetting everything.
/// <reference types="vite/client" />
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeServer, json, signedIn, user } from "./web-fake-server";

let server: ReturnType<typeof fakeServer>;
let web: typeof import("./web");

beforeEach(async () => {
  vi.resetModules();
  localStorage.clear();
  sessionStorage.clear();
  server = fakeServer();
  web = await import("./web");
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const found = (mrn = "10000001") => ({
  banner: { mrn, nhs_number: "943 476 5919", display_name: "WHITFIELD, Amara", birth_date: "1958-03-14", age_years: 68, gender: "Female", postcode: "AB1 2CD", restricted: false, superseded: false },
  tiles: [],
  can_upload: true,
  can_view_history: false,
  can_export: true,
  pinned: false,
  synced_at: null,
  patient: {},
  manifest: {},
  version: "v1",
});

describe("browser sign-in", () => {
  it("tokens are never written to web storage or cookies", async () => {
    const setItem = vi.spyOn(Storage.prototype, "setItem");
    server.on("POST", /\/v1\/session$/, () => signedIn("secret-access", "secret-refresh"));
    server.on("GET", /\/v1\/patients\?/, () => json(found()));
    const result = await web.webBackend.signIn("dr.okafor", "pw");
    expect(result).toEqual({ kind: "signed_in", user });
    await web.webBackend.findPatient("943 476 5919");
    expect(server.to(/\/v1\/patients/)[0]!.headers.authorization).toBe("Bearer secret-access");
    expect(setItem).not.toHaveBeenCalled();
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect(document.cookie).toBe("");
    expect(JSON.stringify(await web.webBackend.resumeSession())).toBe("null");
    // Nor could a later change start to: the transport's code names none of them.
    const sources = import.meta.glob(["./web*.ts", "!./*.test.ts", "!./web-fake-server.ts"], { query: "?raw", import: "default", eager: true });
    expect(Object.keys(sources).length).toBeGreaterThanOrEqual(5);
    for (const [file, text] of Object.entries(sources)) {
      expect([file, /localStorage|sessionStorage|indexedDB|document\.cookie|caches\./.test(text as string)]).toEqual([file, false]);
    }
  });

  it("a 401 refreshes once then reports unauthenticated", async () => {
    server.on("POST", /\/v1\/session$/, () => signedIn());
    server.on("POST", /\/v1\/session\/refresh$/, () => signedIn("access-2"));
    server.on("GET", /\/v1\/patients\?/, () => json({ code: "unauthenticated", message: "Your session is not valid; sign in again (expired)" }, 401));
    await web.webBackend.signIn("dr.okafor", "pw");
    await expect(web.webBackend.findPatient("MRN 10000001")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(server.to(/\/v1\/session\/refresh$/)).toHaveLength(1);
    expect(server.to(/\/v1\/session\/refresh$/)[0]!.body).toEqual({ username: "dr.okafor", refresh_token: "refresh-1" });
    expect(server.to(/\/v1\/patients/).map((s) => s.headers.authorization)).toEqual(["Bearer access-1", "Bearer access-2"]);
    // The session is over: nothing more is sent with the old tokens.
    await expect(web.webBackend.findPatient("MRN 10000001")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(server.to(/\/v1\/patients/)).toHaveLength(2);
  });

  it("a refreshed token carries on where the expired one stopped", async () => {
    server.on("POST", /\/v1\/session$/, () => signedIn());
    server.on("POST", /\/v1\/session\/refresh$/, () => signedIn("access-2"));
    server.on("GET", /\/v1\/patients\?/, (s) =>
      s.headers.authorization === "Bearer access-2" ? json(found()) : json({ code: "unauthenticated", message: "expired" }, 401),
    );
    await web.webBackend.signIn("dr.okafor", "pw");
    const [a, b] = await Promise.all([web.webBackend.findPatient("MRN 10000001"), web.webBackend.findPatient("MRN 10000001")]);
    expect(a.banner.mrn).toBe("10000001");
    expect(b.banner.mrn).toBe("10000001");
    // Two requests failing together share one refresh.
    expect(server.to(/\/v1\/session\/refresh$/)).toHaveLength(1);
  });

  it("a challenge's session is sent with its answer, then the user is signed in", async () => {
    server.on("POST", /\/v1\/session$/, () =>
      json({ result: { kind: "totp_required", username: "dr.mfa" }, challenge: { username: "dr.mfa", session: "cognito-session" } }),
    );
    server.on("POST", /\/v1\/session\/totp$/, () => signedIn());
    expect(await web.webBackend.signIn("dr.mfa", "pw")).toEqual({ kind: "totp_required", username: "dr.mfa" });
    expect((await web.webBackend.completeTotp("123456")).kind).toBe("signed_in");
    expect(server.to(/totp$/)[0]!.body).toEqual({ challenge: { username: "dr.mfa", session: "cognito-session" }, code: "123456" });
  });

  it("an expired challenge sends the user back to the sign-in form", async () => {
    server.on("POST", /\/v1\/session$/, () =>
      json({ result: { kind: "new_password_required", username: "new.starter", rules: [] }, challenge: { username: "new.starter", session: "s" } }),
    );
    server.on("POST", /new-password$/, () => json({ code: "unauthenticated", message: "Sign-in took too long and has expired. Please sign in again" }, 401));
    await web.webBackend.signIn("new.starter", "pw");
    await expect(web.webBackend.completeNewPassword("A-new-pass-2026!", "A-new-pass-2026!")).rejects.toEqual({
      code: "unauthenticated",
      message: "Sign-in took too long and has expired. Please sign in again",
    });
    // No refresh is tried for a sign-in step.
    expect(server.to(/refresh$/)).toHaveLength(0);
  });

  it("a wrong password keeps the server's words", async () => {
    server.on("POST", /\/v1\/session$/, () => json({ code: "wrong_credentials", message: "The user name or password is incorrect" }, 401));
    await expect(web.webBackend.signIn("dr.okafor", "nope")).rejects.toEqual({
      code: "wrong_credentials",
      message: "The user name or password is incorrect",
    });
  });

  it("sign-out revokes the refresh token, forgets the session, and never fails offline", async () => {
    server.on("POST", /\/v1\/session$/, () => signedIn());
    server.on("POST", /sign-out$/, () => {
      throw new TypeError("Failed to fetch");
    });
    await web.webBackend.signIn("dr.okafor", "pw");
    await expect(web.webBackend.signOut()).resolves.toBeUndefined();
    expect(server.to(/sign-out$/)[0]!.body).toEqual({ refresh_token: "refresh-1" });
    expect(server.to(/sign-out$/)[0]!.headers["authorization"]).toBe("Bearer access-1");
    await expect(web.webBackend.findPatient("MRN 1")).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("while locked nothing is sent; the password unlocks with fresh tokens", async () => {
    server.on("POST", /\/v1\/session$/, () => signedIn());
    server.on("GET", /\/v1\/patients\?/, () => json(found()));
    await web.webBackend.signIn("dr.okafor", "pw");
    await web.webBackend.lockSession();
    await expect(web.webBackend.findPatient("MRN 10000001")).rejects.toMatchObject({ code: "locked" });
    expect(server.to(/\/v1\/patients/)).toHaveLength(0);
    server.on("POST", /\/v1\/session$/, () => json({ code: "wrong_credentials", message: "The user name or password is incorrect" }, 401));
    await expect(web.webBackend.unlockSession("wrong")).rejects.toMatchObject({ code: "wrong_credentials" });
    await expect(web.webBackend.findPatient("MRN 10000001")).rejects.toMatchObject({ code: "locked" });
    server.on("POST", /\/v1\/session$/, () => signedIn("access-3"));
    expect(await web.webBackend.unlockSession("pw")).toEqual({ ...user, locked: false });
    expect(server.seen.at(-1)!.body).toEqual({ username: "dr.okafor", password: "pw" });
    await web.webBackend.findPatient("MRN 10000001");
    expect(server.to(/\/v1\/patients/)[0]!.headers.authorization).toBe("Bearer access-3");
  });

  it("the app's settings come from the server before sign-in; a failure is shown instead", async () => {
    server.on("GET", /client-config$/, () =>
      json({ version: "0.9.0", sandbox: true, idle_lock_seconds: 600, break_glass_reasons: [{ reason: "direct_care", label: "Direct care" }] }),
    );
    expect(await web.webBackend.appInfo()).toEqual({ profile: "web", sandbox: true, version: "0.9.0", idle_lock_seconds: 600, startup_error: null });
    expect(await web.webBackend.breakGlassReasons()).toEqual([{ reason: "direct_care", label: "Direct care" }]);
    vi.resetModules();
    server = fakeServer();
    server.on("GET", /client-config$/, () => {
      throw new TypeError("Failed to fetch");
    });
    const fresh = await import("./web");
    expect((await fresh.webBackend.appInfo()).startup_error).toEqual({
      code: "unreachable",
      message: "Cannot reach the records server. Check the network connection",
    });
  });
});
