// Records over the server's /v1 API: break-glass reasons on every request about the patient,
// the window's errors for the server's, revalidation, thumbnails, integrity-checked opens
// and the ZIP export as a download from the bucket.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeServer, json, signedIn } from "./web-fake-server";
import { sha256Hex } from "./web-http";
import { EXPORT_FRAME_MS } from "./web-records";

let server: ReturnType<typeof fakeServer>;
let backend: typeof import("./web").webBackend;

const found = (mrn: string, version = "v1") => ({
  banner: { mrn, nhs_number: "999 186 0916", display_name: "GALLAGHER, Siobhan", birth_date: "1980-01-02", age_years: 46, gender: "Female", postcode: "AB1 2CD", restricted: true, superseded: false },
  tiles: [{ category: "lab", label: "Lab", count: 1, has_documents: true, accessible_name: "Lab, 1 document", stamp_summary: null }],
  can_upload: false,
  can_view_history: true,
  can_export: true,
  pinned: false,
  synced_at: null,
  patient: { mrn, secret: "kept out of the summary" },
  manifest: { documents: [] },
  version,
});
const row = (id: string) => ({
  id, category: "lab", category_label: "Lab", file_name: `${id}.png`, content_type: "image/png", size: 3, created: "2026-01-01T10:00:00Z",
  uploaded_by: "nurse.hughes", stamp: null, scan_status: "clean", can_open: true, stamp_action: "Verify", can_remove: false, has_thumbnail: true, has_optimized: true,
});

beforeEach(async () => {
  vi.resetModules();
  server = fakeServer();
  server.on("POST", /\/v1\/session$/, () => signedIn());
  backend = (await import("./web")).webBackend;
  await backend.signIn("dr.okafor", "pw");
});

afterEach(() => {
  document.querySelectorAll("iframe").forEach((f) => f.remove());
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const reasonOf = (s: { headers: Record<string, string> }) => [s.headers["x-chartdesk-break-glass-reason"], s.headers["x-chartdesk-break-glass-detail"]];

describe("the records server from the browser", () => {
  it("a break-glass reason is sent with every later request about that patient", async () => {
    server.on("GET", /\/v1\/patients\?/, () => json(found("10000007")));
    server.on("GET", /documents\?category=lab&limit=50$/, () => json({ rows: [row("d1")], etag: "e" }));
    server.on("GET", /documents\?search=/, () => json({ rows: [], etag: "e" }));
    server.on("POST", /stamp$/, () => json(row("d1")));
    server.on("GET", /audit$/, () => json({ events: [], rows: [] }));
    server.on("POST", /export\/archive$/, () => json({ url: "https://bucket.example/exports/x.zip", file_name: "x.zip", files: 1, bytes: 2 }));
    server.on("GET", /\/v1\/patients\/10000001\/documents\?/, () => json({ rows: [], etag: null }));
    const summary = await backend.findPatient("999 186 0916", { reason: "clinical_emergency", detail: "arrest call, bay 4" });
    expect(summary).not.toHaveProperty("patient");
    expect(summary.pinned).toBe(false);
    await backend.listDocumentsPage("10000007", "lab", null, 50);
    await backend.searchDocuments("10000007", "scan");
    await backend.stampDocument("10000007", "d1");
    await backend.accessHistory("10000007");
    await backend.exportDocuments("10000007", ["d1"], []);
    await backend.revalidatePatient("10000007");
    for (const s of server.seen.filter((s) => s.url.includes("/v1/patients"))) {
      expect([s.url, ...reasonOf(s)]).toEqual([s.url, "clinical_emergency", "arrest%20call%2C%20bay%204"]);
    }
    // Another patient's requests carry no reason.
    await backend.listDocumentsPage("10000001", "lab", null, 50);
    expect(reasonOf(server.seen.at(-1)!)).toEqual([undefined, undefined]);
    // Signing out forgets the reasons.
    server.on("POST", /sign-out$/, () => new Response(null, { status: 204 }));
    await backend.signOut();
    await backend.signIn("dr.okafor", "pw");
    await backend.listDocumentsPage("10000007", "lab", null, 50);
    expect(reasonOf(server.seen.at(-1)!)).toEqual([undefined, undefined]);
  });

  it("a server error body reaches the screens with the server's own code and words", async () => {
    const cases: [string, number, string][] = [
      ["reason_required", 403, "reason_required"],
      ["forbidden", 403, "forbidden"],
      ["infected", 403, "infected"],
      ["scan_pending", 423, "scan_pending"],
      ["integrity", 422, "integrity"],
      ["unavailable", 503, "unavailable"],
      ["not_found", 404, "not_found"],
      ["conflict", 409, "conflict"],
      ["ambiguous_query", 409, "ambiguous_query"],
      ["invalid_input", 400, "invalid_input"],
      ["", 418, "internal"],
    ];
    for (const [code, status, shown] of cases) {
      server.on("GET", /\/v1\/patients\?/, () => json({ code, message: `words for ${code}` }, status));
      await expect(backend.findPatient("943 476 5919")).rejects.toEqual({ code: shown, message: `words for ${code}` });
    }
  });

  it("an ambiguity's readings come through as the server words them", async () => {
    const choices = [
      { label: "NHS number 943 476 5919", query: "NHS 9434765919" },
      { label: "MRN 9434765919", query: "MRN 9434765919" },
    ];
    const message = "943 476 5919 is both an NHS number and an MRN here: choose which you mean";
    server.on("GET", /\/v1\/patients\?/, () => json({ code: "ambiguous_query", message, choices }, 409));
    await expect(backend.findPatient("9434765919")).rejects.toEqual({ code: "ambiguous_query", message, choices });
  });

    it("no answer at all is 'cannot reach the records server'", async () => {
    server.on("GET", /\/v1\/patients\?/, () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(backend.findPatient("943 476 5919")).rejects.toEqual({
      code: "unreachable",
      message: "Cannot reach the records server. Check the network connection",
    });
  });

  it("revalidation sends the version shown and is null while nothing changed", async () => {
    server.on("GET", /\/v1\/patients\?q=943/, () => json(found("10000007", "v1")));
    await backend.findPatient("943 476 5919", { reason: "direct_care", detail: "" });
    server.on("GET", /q=MRN%2010000007/, (s) => (s.headers["if-none-match"] === "v1" ? new Response(null, { status: 304 }) : json(found("10000007", "v2"))));
    expect(await backend.revalidatePatient("10000007")).toBeNull();
    expect(server.seen.at(-1)!.headers["if-none-match"]).toBe("v1");
  });

  it("thumbnails come from the list when inline, else from their link, else none", async () => {
    server.on("GET", /documents\?category=lab&limit=50$/, () =>
      json({
        rows: [
          { ...row("inline"), thumbnail: btoa("abc"), thumbnail_url: "https://bucket.example/inline" },
          { ...row("linked"), thumbnail_url: "https://bucket.example/linked" },
          { ...row("none"), has_thumbnail: false, thumbnail_url: null },
        ],
        etag: "e",
      }),
    );
    server.on("GET", /bucket\.example\/linked$/, () => new Response(new Uint8Array([1, 2])));
    const { rows } = await backend.listDocumentsPage("10000001", "lab", null, 50);
    expect(rows[0]).not.toHaveProperty("thumbnail");
    expect(rows[0]).not.toHaveProperty("thumbnail_url");
    expect(new TextDecoder().decode(await backend.documentThumbnail("10000001", "inline"))).toBe("abc");
    expect(new Uint8Array(await backend.documentThumbnail("10000001", "linked"))).toEqual(new Uint8Array([1, 2]));
    expect((await backend.documentThumbnail("10000001", "none")).byteLength).toBe(0);
    // The bucket's link is fetched without the token.
    expect(server.to(/bucket\.example/)[0]!.headers.authorization).toBeUndefined();
  });

  it("searching a patient's documents asks the server with the text", async () => {
    server.on("GET", /documents\?search=/, () => json({ rows: [row("d1")], etag: "e" }));
    expect((await backend.searchDocuments("10000001", "blood count")).map((r) => r.id)).toEqual(["d1"]);
    expect(server.seen.at(-1)!.url).toBe("/v1/patients/10000001/documents?search=blood%20count");
  });

  it("the access history asks for the page after the server's cursor, and passes its next on", async () => {
    const event = { at: "2026-06-30T09:15:00Z", shown_at: "30-Jun-2026 10:15 BST", actor: "admin.byrne", action: "Found the patient", doc_id: null, reason: null, reported_offline: false, detail: null };
    server.on("GET", /\/audit$/, () => json({ events: [], rows: [event], next: "legacy/0192.json" }));
    server.on("GET", /\/audit\?after=/, () => json({ events: [], rows: [{ ...event, actor: "dr.okafor" }] }));
    expect(await backend.accessHistory("10000001")).toEqual({ rows: [event], next: "legacy/0192.json" });
    expect(server.seen.at(-1)!.url).toBe("/v1/patients/10000001/audit");
    const older = await backend.accessHistory("10000001", "legacy/0192.json");
    expect(server.seen.at(-1)!.url).toBe("/v1/patients/10000001/audit?after=legacy%2F0192.json");
    expect(older).toEqual({ rows: [{ ...event, actor: "dr.okafor" }], next: null });
  });

  it("the virus scanner's alerts are asked for trust-wide, with no patient's reason", async () => {
    server.on("GET", /\/v1\/alerts$/, () => json({ alerts: [] }));
    expect(await backend.virusAlerts()).toEqual({ alerts: [] });
    expect(server.seen.at(-1)!.url).toBe("/v1/alerts");
  });

  it("an opened file is shown only if it matches its SHA-256", async () => {
    const bytes = new Uint8Array([37, 80, 68, 70, 1]);
    const sha256 = await sha256Hex(bytes);
    server.on("GET", /documents\/good$/, () => json({ url: "https://bucket.example/good", sha256, size: 5, content_type: "application/pdf" }));
    server.on("GET", /documents\/bad$/, () => json({ url: "https://bucket.example/good", sha256: "0".repeat(64), size: 5, content_type: "application/pdf" }));
    server.on("GET", /bucket\.example\/good$/, () => new Response(bytes));
    expect(new Uint8Array(await backend.openDocument("10000001", "good"))).toEqual(bytes);
    await expect(backend.openDocument("10000001", "bad")).rejects.toEqual({
      code: "internal",
      message: "The file failed its integrity check and was not shown",
    });
  });

  it("an image's optimized JPEG is asked for by view and checked against the SHA-256 the server gives", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
    const sha256 = await sha256Hex(jpeg);
    server.on("GET", /documents\/scan\?view=optimized$/, () =>
      json({ url: "https://bucket.example/opt", sha256, size: 4, content_type: "image/jpeg", view: "optimized" }),
    );
    server.on("GET", /bucket\.example\/opt$/, () => new Response(jpeg));
    expect(new Uint8Array(await backend.openDocument("10000001", "scan", true))).toEqual(jpeg);
    expect(server.seen.some((r) => r.url === "/v1/patients/10000001/documents/scan?view=optimized")).toBe(true);
  });

  it("a TIFF scan's later page is asked for by page and checked the same way", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe1]);
    const sha256 = await sha256Hex(jpeg);
    server.on("GET", /documents\/scan\?view=optimized&page=3$/, () =>
      json({ url: "https://bucket.example/p3", sha256, size: 4, content_type: "image/jpeg", view: "optimized" }),
    );
    server.on("GET", /bucket\.example\/p3$/, () => new Response(jpeg));
    expect(new Uint8Array(await backend.openDocument("10000001", "scan", true, 3))).toEqual(jpeg);
  });

  it("an export is downloaded from the bucket link the server answers, through a hidden frame that goes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      server.on("POST", /export\/archive$/, () =>
        json({ url: "https://bucket.example/exports/x.zip?X-Amz-Signature=s", file_name: "chartdesk-export-10000001.zip", files: 2, bytes: 4 }),
      );
      const done = await backend.exportDocuments("10000001", ["d1", "d2"], ["lab"]);
      expect(done).toEqual({ files: 2, bytes: 4, path: "chartdesk-export-10000001.zip" });
      expect(server.seen.at(-1)!.body).toEqual({ doc_ids: ["d1", "d2"], categories: ["lab"] });
      const frame = document.querySelector<HTMLIFrameElement>("iframe[title='Export download']");
      expect(frame?.hidden).toBe(true);
      expect(frame?.src).toBe("https://bucket.example/exports/x.zip?X-Amz-Signature=s");
      // The page never fetched the ZIP itself.
      expect(server.seen.some((r) => r.url.includes("bucket.example"))).toBe(false);
      vi.advanceTimersByTime(EXPORT_FRAME_MS);
      expect(document.querySelector("iframe")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("what needs the desktop says so, and offline search finds nothing", async () => {
    expect(await backend.searchOffline("whit")).toEqual([]);
    expect(await backend.outbox()).toEqual([]);
    expect((await backend.syncNow()).online).toBe(true);
    for (const call of [() => backend.pinPatient("1", () => undefined), () => backend.clearOfflineData(), () => backend.retryOutboxItem("x", false)]) {
      await expect(call()).rejects.toEqual({ code: "invalid_input", message: "Offline copies need the Chartdesk desktop app" });
    }
  });

  it("a delete sends its reason, and the history is null for a role the server does not show it to", async () => {
    server.on("DELETE", /\/documents\/d1$/, () => new Response(null, { status: 204 }));
    await backend.deleteDocument("10000001", "d1", "Filed to the wrong patient");
    const sent = server.to(/\/documents\/d1$/)[0];
    expect(sent.method).toBe("DELETE");
    expect(sent.body).toEqual({ reason: "Filed to the wrong patient" });

    const history = [{ ...row("old"), status: "replaced", label: "Replaced 04-Dec-2026" }];
    server.on("GET", /document-history\?category=preop$/, () => json({ rows: history }));
    expect(await backend.documentHistory("10000001", "preop")).toEqual(history);
    server.on("GET", /document-history\?category=preop$/, () => json({ code: "forbidden", message: "Your role does not allow this" }, 403));
    expect(await backend.documentHistory("10000001", "preop")).toBeNull();
    server.on("GET", /document-history\?category=preop$/, () => json({ code: "unavailable", message: "try again" }, 503));
    await expect(backend.documentHistory("10000001", "preop")).rejects.toMatchObject({ code: "unavailable" });
  });
});
