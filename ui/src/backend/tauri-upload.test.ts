// The window's uploads go to the core in chunks (issue 10 item 5): no whole file is read into
// the web view's memory or sent as one IPC body. Tauri's invoke is faked; tauri.ts is real.
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

const { tauriBackend } = await import("./tauri");
const MiB = 1024 * 1024;

/** A file whose every read is counted, so a test sees how much was read at once. */
function countedFile(size: number): { file: File; reads: number[] } {
  const reads: number[] = [];
  const file = new File([new Uint8Array(size)], "scan.pdf", { type: "application/pdf" });
  const slice = file.slice.bind(file);
  file.slice = (start?: number, end?: number) => {
    const part = slice(start, end);
    reads.push(part.size);
    return part;
  };
  file.arrayBuffer = () => {
    throw new Error("the whole file was read");
  };
  return { file, reads };
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockImplementation(async (command: string) =>
    command === "upload_document" ? { kind: "queued", doc_id: "d", message: "m" } : undefined,
  );
});

describe("the desktop sends a file in chunks the core stages on disk", () => {
  it("a 9 MiB file goes as three chunks of at most 4 MiB, in order, then the upload starts", async () => {
    const { file, reads } = countedFile(9 * MiB);
    const outcome = await tauriBackend.uploadDocument("u1", "10000001", "lab", "scan.pdf", file, false);

    expect(outcome.kind).toBe("queued");
    const chunks = invoke.mock.calls.filter((c) => c[0] === "upload_chunk");
    expect(chunks.map((c) => (c[1] as Uint8Array).byteLength)).toEqual([4 * MiB, 4 * MiB, MiB]);
    expect(chunks.map((c) => c[2].headers["x-offset"])).toEqual(["0", String(4 * MiB), String(8 * MiB)]);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4 * MiB);
    const last = invoke.mock.calls.at(-1)!;
    expect(last[0]).toBe("upload_document");
    expect(last[1]).toEqual({ uploadId: "u1", mrn: "10000001", category: "lab", fileName: "scan.pdf", replaceOldest: false });
  });

  it("an empty file still reaches the core, which refuses it in words", async () => {
    const { file } = countedFile(0);
    await tauriBackend.uploadDocument("u2", "10000001", "lab", "empty.pdf", file, false);
    expect(invoke.mock.calls.map((c) => c[0])).toEqual(["upload_chunk", "upload_document"]);
  });

  it("Cancel while chunks are still going stops sending and never starts the upload", async () => {
    const { file } = countedFile(12 * MiB);
    invoke.mockImplementation(async (command: string) => {
      if (command === "upload_chunk" && invoke.mock.calls.length === 1) await tauriBackend.cancelUpload("u3");
      return undefined;
    });
    await expect(tauriBackend.uploadDocument("u3", "10000001", "lab", "scan.pdf", file, false)).rejects.toMatchObject({
      code: "cancelled",
    });
    const commands = invoke.mock.calls.map((c) => c[0]);
    expect(commands).toEqual(["upload_chunk", "cancel_upload"]);
  });

  it("a chunk refused because Cancel crossed it ends as cancelled, not as the chunk's error", async () => {
    const { file } = countedFile(12 * MiB);
    invoke.mockImplementation(async (command: string) => {
      if (command !== "upload_chunk") return undefined;
      await tauriBackend.cancelUpload("u4");
      throw { code: "invalid_input", message: "The file's chunks arrived out of order" };
    });
    await expect(tauriBackend.uploadDocument("u4", "10000001", "lab", "scan.pdf", file, false)).rejects.toMatchObject({
      code: "cancelled",
    });
  });
});
