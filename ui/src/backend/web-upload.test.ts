// Uploads from the browser: checked by content before anything is sent, declared with their
// SHA-256 (per part above the published threshold), PUT straight to S3 with progress, completed, and on cancel
// every PUT aborted and the server told.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clientConfig, fakeServer, json, signedIn } from "./web-fake-server";
import { sha256Hex } from "./web-http";
import type { UploadProgress } from "./types";

/** A stand-in for XMLHttpRequest: each PUT waits until the test answers or it is aborted. */
class FakeXhr {
  static all: FakeXhr[] = [];
  static auto: number | null = 200;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: Blob | null = null;
  status = 0;
  aborted = false;
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string) {
    return name.toLowerCase() === "etag" ? `"etag-${this.url.split("partNumber=")[1] ?? "single"}"` : null;
  }
  send(body: Blob) {
    this.body = body;
    FakeXhr.all.push(this);
    if (FakeXhr.auto !== null) {
      const status = FakeXhr.auto;
      setTimeout(() => this.answer(status), 1);
    }
  }
  answer(status: number) {
    if (this.aborted) return;
    this.upload.onprogress?.({ loaded: this.body?.size ?? 0 });
    this.status = status;
    this.onload?.();
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
}

let server: ReturnType<typeof fakeServer>;
let backend: typeof import("./web").webBackend;
const MiB = 1024 * 1024;
const pdf = (size: number, name = "report.pdf") => {
  const bytes = new Uint8Array(size);
  bytes.set([0x25, 0x50, 0x44, 0x46]);
  return new File([bytes], name);
};
const row = (id: string) => ({ id, category: "lab", file_name: "report.pdf" });
const presigned = (url: string) => ({
  method: "PUT",
  url,
  headers: [
    { name: "host", value: "bucket.example" },
    { name: "content-length", value: "1" },
    { name: "x-amz-checksum-sha256", value: "abc=" },
    { name: "if-none-match", value: "*" },
  ],
});

beforeEach(async () => {
  vi.resetModules();
  FakeXhr.all = [];
  FakeXhr.auto = 200;
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  server = fakeServer();
  server.on("POST", /\/v1\/session$/, () => signedIn());
  server.on("GET", /client-config$/, () => clientConfig());
  server.on("POST", /\/v1\/uploads\/start$/, (s) =>
    startAnswers(s.body, (up) => {
      const objects = up.part_sha256.length
        ? [{ role: "original", put: null, multipart: { upload_id: "mp-1", part_size: 8 * MiB, parts: up.part_sha256.map((_, i) => ({ number: i + 1, request: presigned(`https://bucket.example/o?partNumber=${i + 1}`) })) } }]
        : [{ role: "original", put: presigned("https://bucket.example/o"), multipart: null }];
      return { started: { doc_id: up.doc_id, already_attached: false, objects, expires_in_seconds: 900, part_size: 8 * MiB, parallel_parts: 4 }, error: null };
    }),
  );
  server.on("POST", /\/v1\/uploads\/complete$/, (s) => {
    const [up] = (s.body as { uploads: { doc_id: string }[] }).uploads;
    return json({ results: [{ doc_id: up!.doc_id, outcome: "attached", row: row(up!.doc_id), error: null }] });
  });
  server.on("POST", /\/v1\/uploads\/abort$/, () => new Response(null, { status: 204 }));
  backend = (await import("./web")).webBackend;
  await backend.signIn("nurse.hughes", "pw");
});

afterEach(() => vi.unstubAllGlobals());

/** One result per upload of a batch start, as `answer` says. */
type Declared = { doc_id: string; part_sha256: string[] };
const startAnswers = (body: unknown, answer: (up: Declared) => { started: unknown; error: unknown }) =>
  json({ results: (body as { uploads: Declared[] }).uploads.map((up) => ({ doc_id: up.doc_id, ...answer(up) })) });
/** Every upload declared to the server, in the order started. */
const started = () => server.to(/\/v1\/uploads\/start$/).flatMap((s) => (s.body as { uploads: Record<string, unknown>[] }).uploads);

describe("uploads from the browser", () => {
  it("a small file is declared with its type and SHA-256, PUT once, and completed", async () => {
    const file = pdf(1000);
    const progress: UploadProgress[] = [];
    await backend.onUploadProgress((p) => progress.push(p));
    const outcome = await backend.uploadDocument("u1", "10000001", "lab", "report.pdf", file, false);
    const [declared] = started();
    expect(declared).toMatchObject({
      mrn: "10000001",
      category: "lab",
      file_name: "report.pdf",
      content_type: "application/pdf",
      size: 1000,
      sha256: await sha256Hex(await file.arrayBuffer()),
      replace_oldest: false,
      part_sha256: [],
    });
    expect(declared, "the original only: the server makes the previews").not.toHaveProperty("variants");
    expect(outcome).toEqual({ kind: "added", row: row(declared!.doc_id as string) });
    const [put] = FakeXhr.all;
    expect(put!.method).toBe("PUT");
    // The browser sets host and content-length itself; the signed headers go as given.
    expect(put!.headers).toEqual({ "x-amz-checksum-sha256": "abc=", "if-none-match": "*" });
    expect(progress.at(-1)).toEqual({ upload_id: "u1", sent: 1000, total: 1000 });
    const [complete] = server.to(/complete$/).map((s) => s.body as { uploads: Record<string, unknown>[] });
    expect(complete!.uploads[0]).toEqual({ ...declared, multipart_upload_id: null, parts: [] });
  });

  it("an upload above the published threshold (here 8 MiB) declares one SHA-256 per part", async () => {
    const file = pdf(17 * MiB);
    await backend.uploadDocument("u2", "10000001", "lab", "big.pdf", file, false);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const parts = [bytes.subarray(0, 8 * MiB), bytes.subarray(8 * MiB, 16 * MiB), bytes.subarray(16 * MiB)];
    expect(started()[0]!.part_sha256).toEqual(await Promise.all(parts.map((p) => sha256Hex(p))));
    expect(FakeXhr.all.map((x) => x.body!.size).sort()).toEqual([1 * MiB, 8 * MiB, 8 * MiB].sort());
    const [complete] = server.to(/complete$/).map((s) => s.body as { uploads: { multipart_upload_id: string; parts: unknown[] }[] });
    expect(complete!.uploads[0]!.multipart_upload_id).toBe("mp-1");
    expect(complete!.uploads[0]!.parts).toEqual([
      { number: 1, etag: '"etag-1"' },
      { number: 2, etag: '"etag-2"' },
      { number: 3, etag: '"etag-3"' },
    ]);
  });

  it("cancel aborts the PUTs and tells the server", async () => {
    FakeXhr.auto = null;
    const upload = backend.uploadDocument("u3", "10000001", "lab", "big.pdf", pdf(20 * MiB), false);
    await vi.waitFor(() => expect(FakeXhr.all).toHaveLength(3));
    expect(await backend.cancelUpload("u3")).toBe(true);
    await expect(upload).rejects.toMatchObject({ code: "cancelled" });
    expect(FakeXhr.all.every((x) => x.aborted)).toBe(true);
    const declared = started()[0]!;
    expect(server.to(/abort$/).map((s) => s.body)).toEqual([{ doc_id: declared.doc_id, mrn: "10000001", category: "lab" }]);
    expect(server.to(/complete$/)).toHaveLength(0);
    expect(await backend.cancelUpload("u3")).toBe(false);
  });

  it("a file that is not a PDF, JPEG, PNG or TIFF is refused before anything is sent", async () => {
    const text = new File(["just some text"], "notes.pdf");
    await expect(backend.uploadDocument("u4", "10000001", "lab", "notes.pdf", text, false)).rejects.toEqual({
      code: "invalid_input",
      message: "notes.pdf: only PDF, JPEG, PNG and TIFF files can be added (checked by content, not name)",
    });
    await expect(backend.uploadDocument("u5", "10000001", "lab", "e.pdf", new File([], "e.pdf"), false)).rejects.toMatchObject({
      message: "e.pdf: the file is empty",
    });
    expect(server.to(/uploads/)).toHaveLength(0);
  });

  it("preop full is offered as Replace oldest, and the retry says so", async () => {
    const error = { code: "preop_full", message: "Preop already holds 3 images — replace the oldest?" };
    server.on("POST", /\/v1\/uploads\/start$/, (s) => startAnswers(s.body, () => ({ started: null, error })));
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])], "p.png");
    await expect(backend.uploadDocument("u6", "10000001", "preop", "p.png", png, false)).rejects.toEqual({
      code: "preop_full",
      message: "Preop already holds 3 images — replace the oldest?",
    });
    expect(FakeXhr.all).toHaveLength(0);
    await expect(backend.uploadDocument("u7", "10000001", "preop", "p.png", png, true)).rejects.toMatchObject({ code: "preop_full" });
    expect(started().map((s) => [s.content_type, s.replace_oldest])).toEqual([
      ["image/png", false],
      ["image/png", true],
    ]);
  });

  it("a refusal at complete keeps the server's words", async () => {
    server.on("POST", /complete$/, (s) => {
      const [up] = (s.body as { uploads: { doc_id: string }[] }).uploads;
      return json({ results: [{ doc_id: up!.doc_id, outcome: "refused", row: null, error: { code: "integrity", message: "The stored copy does not match the file sent (size or SHA-256 differs)" } }] });
    });
    await expect(backend.uploadDocument("u8", "10000001", "lab", "r.pdf", pdf(10), false)).rejects.toEqual({
      code: "integrity",
      message: "The stored copy does not match the file sent (size or SHA-256 differs)",
    });
  });

  it("a PUT the store refuses stops the upload and leaves nothing behind", async () => {
    FakeXhr.auto = 403;
    await expect(backend.uploadDocument("u9", "10000001", "lab", "r.pdf", pdf(10), false)).rejects.toMatchObject({ code: "internal" });
    expect(server.to(/abort$/)).toHaveLength(1);
    expect(server.to(/complete$/)).toHaveLength(0);
  });
});

describe("uploads follow the server's policy", () => {
  const policy = (changes: Record<string, unknown>) => server.on("GET", /client-config$/, () => clientConfig(changes));

  it("a file over the server's limit is refused before anything is sent, naming the limit", async () => {
    policy({ max_upload_bytes: 1 * MiB });
    await expect(backend.uploadDocument("p1", "10000001", "lab", "big.pdf", pdf(2 * MiB), false)).rejects.toEqual({
      code: "invalid_input",
      message: "big.pdf: the file is 2.0 MiB; the limit is 1 MiB",
    });
    expect(server.to(/uploads/)).toHaveLength(0);
  });

  it("a type the server does not accept is refused before anything is sent", async () => {
    policy({ accepted_types: [{ content_type: "application/pdf", extensions: ["pdf"] }] });
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])], "p.png");
    await expect(backend.uploadDocument("p2", "10000001", "lab", "p.png", png, false)).rejects.toMatchObject({ code: "invalid_input" });
    expect(server.to(/uploads/)).toHaveLength(0);
  });

  it("parts are hashed at the server's part size and sent as many at a time as the start answer says", async () => {
    policy({ upload: { multipart_threshold: 5 * MiB, part_size: 5 * MiB, parallel_parts: 4, attempts: 3 } });
    server.on("POST", /\/v1\/uploads\/start$/, (s) =>
      startAnswers(s.body, (up) => {
        const parts = up.part_sha256.map((_, i) => ({ number: i + 1, request: presigned(`https://bucket.example/o?partNumber=${i + 1}`) }));
        const objects = [{ role: "original", put: null, multipart: { upload_id: "mp-2", part_size: 5 * MiB, parts } }];
        return { started: { doc_id: up.doc_id, already_attached: false, objects, expires_in_seconds: 900, part_size: 5 * MiB, parallel_parts: 1 }, error: null };
      }),
    );
    FakeXhr.auto = null;
    const file = pdf(12 * MiB);
    const upload = backend.uploadDocument("p3", "10000001", "lab", "big.pdf", file, false);
    await vi.waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    expect(started()[0]!.part_sha256).toHaveLength(3);
    for (const size of [5 * MiB, 5 * MiB, 2 * MiB]) {
      const current = FakeXhr.all.at(-1)!;
      expect(current.body!.size).toBe(size);
      expect(FakeXhr.all.filter((x) => x.status === 0)).toHaveLength(1); // one in flight at a time
      current.answer(200);
      if (size !== 2 * MiB) await vi.waitFor(() => expect(FakeXhr.all.at(-1)).not.toBe(current));
    }
    await upload;
  });

  it("preop full at complete shows the server's words, whatever its limit", async () => {
    server.on("POST", /complete$/, (s) => {
      const [up] = (s.body as { uploads: { doc_id: string }[] }).uploads;
      const error = { code: "preop_full", message: "Preop already holds 2 images — replace the oldest?" };
      return json({ results: [{ doc_id: up!.doc_id, outcome: "preop_full", row: null, error }] });
    });
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])], "p.png");
    await expect(backend.uploadDocument("p4", "10000001", "preop", "p.png", png, false)).rejects.toEqual({
      code: "preop_full",
      message: "Preop already holds 2 images — replace the oldest?",
    });
  });
});
