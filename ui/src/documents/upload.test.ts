// An upload queued offline says so, and says "Added" once a background round sent it: the
// list never keeps claiming it waits after it went up. The core is faked; upload.ts is real.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { byId } from "../shell/dom";
import { deferred, loadPage, settle } from "./test-support";

const backend = vi.hoisted(() => ({
  uploadDocument: vi.fn(),
  cancelUpload: vi.fn(),
  onUploadProgress: vi.fn(),
}));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

let upload: typeof import("./upload");

beforeEach(async () => {
  vi.resetModules();
  loadPage();
  upload = await import("./upload");
  upload.initUpload(() => undefined);
  upload.setUploadTarget({ mrn: "10000001", category: "intraop" }, true);
});

function choose(name: string): void {
  const input = byId<HTMLInputElement>("upload-input");
  Object.defineProperty(input, "files", { configurable: true, value: [new File(["x"], name)] });
  input.dispatchEvent(new Event("change"));
}

describe("an upload queued while offline", () => {
  it("says Added once the background round sent it, and only for the one it sent", async () => {
    backend.uploadDocument
      .mockResolvedValueOnce({ kind: "queued", doc_id: "d1", message: "saved" })
      .mockResolvedValueOnce({ kind: "queued", doc_id: "d2", message: "saved" });
    choose("theatre-1.jpg");
    choose("theatre-2.jpg");
    await settle();
    const statuses = () => [...byId("upload-list").querySelectorAll("li")].map((li) => li.children[2]?.textContent);
    expect(statuses()).toEqual(["Queued — uploads when the network is back", "Queued — uploads when the network is back"]);

    // What the offline banner's sync round reports (shell/offline.ts passes it on).
    upload.markSent(["d2"]);
    expect(statuses()).toEqual(["Queued — uploads when the network is back", "Added"]);
  });
});

describe("an upload in flight", () => {
  it("says its progress in words in the polite live list, a quarter at a time", async () => {
    let progress: (p: { upload_id: string; sent: number; total: number }) => void = () => undefined;
    vi.resetModules();
    loadPage();
    backend.onUploadProgress.mockImplementation(async (f: typeof progress) => (progress = f));
    backend.uploadDocument.mockReturnValue(new Promise(() => undefined));
    upload = await import("./upload");
    upload.initUpload(() => undefined);
    upload.setUploadTarget({ mrn: "10000001", category: "intraop" }, true);
    choose("chest-xray.jpg");
    await settle();
    const list = byId("upload-list");
    expect(list.getAttribute("aria-live")).toBe("polite");
    const id = backend.uploadDocument.mock.lastCall?.[0] as string;
    const words = () => list.querySelector("li span:nth-of-type(2)")?.textContent;
    progress({ upload_id: id, sent: 10, total: 100 });
    expect(words()).toBe("Uploading…");
    progress({ upload_id: id, sent: 30, total: 100 });
    expect(words()).toBe("Uploading… 25%");
    progress({ upload_id: id, sent: 49, total: 100 });
    expect(words()).toBe("Uploading… 25%");
    progress({ upload_id: id, sent: 100, total: 100 });
    expect(words()).toBe("Uploading… 100%");
  });
});

describe("an upload's result belongs to the list it was started from", () => {
  it("a refusal answered after staff moved to another patient offers nothing under that patient", async () => {
    const refused = deferred<never>();
    backend.uploadDocument.mockReturnValue(refused.promise);
    choose("site-marking.jpg");
    await settle(0);
    upload.setUploadTarget({ mrn: "20000002", category: "preop" }, true);
    refused.reject({ code: "preop_full", message: "Preop already holds 3 images" });
    await settle();

    expect(byId("upload-list").children).toHaveLength(0);
    expect(document.querySelector(".replace-oldest")).toBeNull();
  });

  it("a file added after staff moved on still has the record read again, without a line for it", async () => {
    const added = vi.fn();
    vi.resetModules();
    loadPage();
    upload = await import("./upload");
    upload.initUpload(added);
    upload.setUploadTarget({ mrn: "10000001", category: "intraop" }, true);
    const answer = deferred<{ kind: "queued"; doc_id: string; message: string } | { kind: "added"; row: unknown }>();
    backend.uploadDocument.mockReturnValue(answer.promise);
    choose("theatre-3.jpg");
    await settle(0);
    upload.setUploadTarget({ mrn: "20000002", category: "lab" }, true);
    answer.resolve({ kind: "added", row: {} });
    await settle();

    expect(added).toHaveBeenCalledTimes(1);
    expect(byId("upload-list").children).toHaveLength(0);
  });
});
