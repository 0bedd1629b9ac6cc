// Starts asked for while one is in flight go together, one request per patient, and each upload
// gets its own answer: what to send, or the server's reason it may not go ahead.
import { describe, expect, it } from "vitest";
import { json } from "./web-fake-server";
import { StartBatcher } from "./web-upload-start";
import type { StartUpload } from "./types";

const declared = (docId: string, mrn = "10000001"): StartUpload => ({
  doc_id: docId,
  mrn,
  category: "lab",
  file_name: `${docId}.pdf`,
  content_type: "application/pdf",
  size: 10,
  sha256: "0".repeat(64),
  replace_oldest: false,
  part_sha256: [],
});

const startedAs = (docId: string) => ({ doc_id: docId, already_attached: false, objects: [], expires_in_seconds: 900, part_size: 8, parallel_parts: 4 });

/** A server whose start answers wait until the test releases them; every request recorded. */
function heldServer(answer: (up: StartUpload) => { started: unknown; error: unknown } = (up) => ({ started: startedAs(up.doc_id), error: null })) {
  const requests: { mrn: string; path: string; ids: string[] }[] = [];
  const pending: (() => void)[] = [];
  const post = (mrn: string, path: string, body: unknown) => {
    const uploads = (body as { uploads: StartUpload[] }).uploads;
    requests.push({ mrn, path, ids: uploads.map((u) => u.doc_id) });
    return new Promise<Response>((resolve) => pending.push(() => resolve(json({ results: uploads.map((up) => ({ doc_id: up.doc_id, ...answer(up) })) }))));
  };
  const releaseAll = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { post, requests, releaseAll };
}

describe("starting uploads together", () => {
  it("starts asked for while one is in flight go in the next request, each with its own answer", async () => {
    const server = heldServer();
    const batcher = new StartBatcher(server.post);
    const answers = ["a", "b", "c", "d"].map((id) => batcher.start(declared(id)));
    await server.releaseAll();
    expect(await Promise.all(answers)).toEqual(["a", "b", "c", "d"].map(startedAs));
    expect(server.requests).toEqual([
      { mrn: "10000001", path: "/v1/uploads/start", ids: ["a"] },
      { mrn: "10000001", path: "/v1/uploads/start", ids: ["b", "c", "d"] },
    ]);
  });

  it("each patient's uploads go in a request of their own, with that patient's break-glass reason", async () => {
    const server = heldServer();
    const batcher = new StartBatcher(server.post);
    const answers = [batcher.start(declared("a", "10000001")), batcher.start(declared("b", "10000002"))];
    await server.releaseAll();
    await Promise.all(answers);
    expect(server.requests.map((r) => [r.mrn, r.ids])).toEqual([
      ["10000001", ["a"]],
      ["10000002", ["b"]],
    ]);
  });

  it("an upload the server refuses gets the server's words, and the others of its batch still go", async () => {
    const error = { code: "preop_full", message: "Preop already holds 3 images — replace the oldest?" };
    const server = heldServer((up) => (up.doc_id === "c" ? { started: null, error } : { started: startedAs(up.doc_id), error: null }));
    const batcher = new StartBatcher(server.post);
    const answers = Promise.allSettled(["a", "b", "c"].map((id) => batcher.start(declared(id))));
    await server.releaseAll();
    expect(await answers).toEqual([
      { status: "fulfilled", value: startedAs("a") },
      { status: "fulfilled", value: startedAs("b") },
      { status: "rejected", reason: error },
    ]);
  });

  it("a request that fails fails its own uploads only, and the next batch still goes", async () => {
    let calls = 0;
    const post = async (_mrn: string, _path: string, body: unknown) => {
      calls += 1;
      if (calls === 1) throw { code: "network", message: "The records server could not be reached" };
      const uploads = (body as { uploads: StartUpload[] }).uploads;
      return json({ results: uploads.map((up) => ({ doc_id: up.doc_id, started: startedAs(up.doc_id), error: null })) });
    };
    const batcher = new StartBatcher(post);
    const [first, second] = await Promise.allSettled([batcher.start(declared("a")), batcher.start(declared("b"))]);
    expect(first).toMatchObject({ status: "rejected", reason: { code: "network" } });
    expect(second).toEqual({ status: "fulfilled", value: startedAs("b") });
  });

  it("an answer that does not name the upload is not taken as its own", async () => {
    const post = async () => json({ results: [{ doc_id: "someone-else", started: startedAs("someone-else"), error: null }] });
    await expect(new StartBatcher(post).start(declared("a"))).rejects.toMatchObject({ code: "internal" });
  });
});
