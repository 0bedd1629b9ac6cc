// Wrong document: the viewer shows only the document its title names and gives back the object
// URLs it made; an image opens from its optimized JPEG (View original), and a TIFF scan's pages
// are paged through. The core and pdf.js are faked; the viewer module is the real one.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { byId } from "../shell/dom";
import { FakeObserver } from "./pdf-test-support";
import { type Deferred, bytes, key, row, settle, startViewer } from "./test-support";

const backend = vi.hoisted(() => ({ openDocument: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

/** pdf.js is faked (pdf-test-support): bytes `pdf:<pages>:<word>[:<pages with the word>]`. */
const pdfjs = await vi.hoisted(async () => (await import("./pdf-test-support")).fakePdfjs());
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => pdfjs);

let viewer: typeof import("./viewer");
let opens: Map<string, Deferred<ArrayBuffer>>;
let shownImageText: () => Promise<string | null>;

const scanA = row("doc-a", "ann-scan-A.png");
const scanB = row("doc-b", "ann-scan-B.png");

beforeEach(async () => {
  pdfjs.control.reset();
  FakeObserver.uninstall();
  ({ viewer, opens, shownImageText } = await startViewer(backend.openDocument));
});

// A view left open would keep reading page sizes into the next test.
afterEach(() => viewer.closeViewer());

describe("the viewer shows only the document named in its title", () => {
  it("a slow document never renders under the next document's title", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await settle();
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer-title").textContent).toBe("ann-scan-B.png (2 of 2)");
    expect(await shownImageText()).toBe("bytes of B");
    expect(byId("viewer-body").querySelectorAll("img")).toHaveLength(1);
    expect(byId("viewer-status").textContent).toBe("");
  });

  it("a document that arrives after moving on is dropped even before the next one arrives", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer-title").textContent).toBe("ann-scan-B.png (2 of 2)");
    expect(await shownImageText()).toBeNull();
    expect(byId("viewer-status").textContent).toBe("Opening…");
  });

  it("an error for the previous document is dropped silently", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await settle();
    opens.get("doc-a")!.reject({ code: "unreachable", message: "A could not be opened" });
    await settle();

    expect(byId("viewer-status").textContent).toBe("");
    expect(await shownImageText()).toBe("bytes of B");
  });

  it("a document answered after the viewer closed is never drawn", async () => {
    viewer.openViewer("1001", [scanA], 0);
    viewer.closeViewer();
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer").hidden).toBe(true);
    expect(byId("viewer-body").childElementCount).toBe(0);
  });
});

describe("the viewer gives back what it holds", () => {
  it("an image's object URL is revoked when moving on and when the viewer closes, and not before", async () => {
    const revoked: string[] = [];
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    viewer.openViewer("1001", [scanA, scanB], 0);
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await vi.waitFor(() => expect(byId("viewer-body").querySelector("img")).not.toBeNull());
    const first = byId("viewer-body").querySelector("img")!.getAttribute("src")!;
    expect(revoked).toEqual([]);
    key(byId("viewer"), "ArrowRight");
    expect(revoked).toEqual([first]);
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await vi.waitFor(() => expect(byId("viewer-body").querySelector("img")).not.toBeNull());
    const second = byId("viewer-body").querySelector("img")!.getAttribute("src")!;
    viewer.closeViewer();
    expect(revoked).toEqual([first, second]);
  });
});

describe("images open from their optimized JPEG, with View original", () => {
  const tiff = { ...row("doc-t", "ann-scan.tif", "image/tiff"), has_optimized: true };
  const calls = () => backend.openDocument.mock.calls.map((c) => [c[1], c[2]]);
  const img = () => byId("viewer-body").querySelector("img");

  it("a scan opens optimized, and View original fetches the original file", async () => {
    viewer.openViewer("1001", [tiff, scanA], 0);
    opens.get("doc-t")!.resolve(bytes("optimized jpeg"));
    await settle();
    expect(calls()).toEqual([["doc-t", true]]);
    expect(await shownImageText()).toBe("optimized jpeg");
    expect(byId("viewer-rendition").textContent).toBe("Optimized image, 1600 px");
    expect(byId("viewer-original").hidden).toBe(false);
    expect(byId("viewer-original").textContent).toBe("View original");

    byId("viewer-original").click();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(await shownImageText()).toBe("original tiff");
    expect(byId("viewer-rendition").textContent).toBe("Original file");
    expect(byId("viewer-original").textContent).toBe("View optimized");
  });

  it("the O key views the original, and the next document opens optimized again", async () => {
    const jpeg = { ...scanA, has_optimized: true };
    viewer.openViewer("1001", [tiff, jpeg], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    key(byId("viewer"), "o");
    opens.get("doc-t")!.resolve(bytes("original"));
    await settle();
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-a")!.resolve(bytes("optimized A"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false], ["doc-a", true]]);
  });

  it("an original this window cannot decode goes back to the optimized image and says why", async () => {
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    byId("viewer-original").click();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();
    img()!.dispatchEvent(new Event("error"));
    opens.get("doc-t")!.resolve(bytes("optimized again"));
    await settle();

    expect(calls()).toEqual([["doc-t", true], ["doc-t", false], ["doc-t", true]]);
    expect(await shownImageText()).toBe("optimized again");
    expect(byId("viewer-status").textContent).toContain("cannot display the original TIFF file");
    expect(byId("viewer-original").textContent).toBe("View original");
  });

  it("offline, an image whose optimized JPEG was not kept opens its original, labelled as such", async () => {
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.reject({ code: "optimized_not_kept", message: "not kept" });
    await settle();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();

    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(await shownImageText()).toBe("original tiff");
    expect(byId("viewer-rendition").textContent).toBe("Original file");
    expect(byId("viewer-status").textContent).toContain("optimized image was not kept on this computer");
    // This window cannot draw the TIFF either: it says so, and asks for no optimized image.
    img()!.dispatchEvent(new Event("error"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(byId("viewer-status").textContent).toContain("cannot display this TIFF image");
    // Opened again (the network may be back): the optimized image is asked for first again.
    viewer.closeViewer();
    viewer.openViewer("1001", [tiff], 0);
    await settle();
    expect(calls().at(-1)).toEqual(["doc-t", true]);
  });

  it("a scan larger than the window opens fitted to it, never enlarged, and 0 fits it again", async () => {
    const body = byId("viewer-body");
    Object.defineProperty(body, "clientWidth", { configurable: true, value: 832 });
    Object.defineProperty(body, "clientHeight", { configurable: true, value: 1032 });
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    const shown = img()!;
    Object.defineProperty(shown, "naturalWidth", { value: 1600 });
    Object.defineProperty(shown, "naturalHeight", { value: 2000 });
    Object.defineProperty(shown, "complete", { value: true });
    shown.dispatchEvent(new Event("load"));
    expect(shown.dataset.zoom).toBe("0.5");
    key(byId("viewer"), "+");
    expect(shown.dataset.zoom).toBe("0.625");
    key(byId("viewer"), "0");
    expect(shown.dataset.zoom).toBe("0.5");
  });

  it("an image without an optimized JPEG opens its original, with no button, and an undecodable one says so", async () => {
    const bare = row("doc-u", "ann-scan.tif", "image/tiff");
    viewer.openViewer("1001", [bare], 0);
    opens.get("doc-u")!.resolve(bytes("tiff"));
    await settle();
    expect(calls()).toEqual([["doc-u", false]]);
    expect(byId("viewer-original").hidden).toBe(true);
    img()!.dispatchEvent(new Event("error"));
    expect(byId("viewer-status").textContent).toContain("cannot display this TIFF image");
    expect(img()).toBeNull();
  });
});

describe("every page of a TIFF scan", () => {
  const fivePages = { ...row("doc-m", "ann-scan.tif", "image/tiff"), has_optimized: true, pages: 5 };
  const pageCalls = () => backend.openDocument.mock.calls.map((c) => [c[1], c[2], c[3]]);
  const resolveNext = async (text: string) => {
    opens.get("doc-m")!.resolve(bytes(text));
    await settle();
  };

  it("pages through the previews with Page Up / Page Down and the buttons, saying which page", async () => {
    viewer.openViewer("1001", [fivePages], 0);
    await resolveNext("page 1");
    expect(byId("viewer-pages").hidden).toBe(false);
    expect(byId("viewer-page").textContent).toBe("Page 1 of 5");
    expect(byId<HTMLButtonElement>("viewer-page-prev").disabled).toBe(true);

    key(byId("viewer"), "PageDown");
    await resolveNext("page 2");
    expect(byId("viewer-page").textContent).toBe("Page 2 of 5");
    expect(await shownImageText()).toBe("page 2");
    byId("viewer-page-next").click();
    await resolveNext("page 3");
    key(byId("viewer"), "PageUp");
    await resolveNext("page 2 again");
    expect(pageCalls()).toEqual([
      ["doc-m", true, undefined],
      ["doc-m", true, 2],
      ["doc-m", true, 3],
      ["doc-m", true, 2],
    ]);
    expect(byId("viewer-title").textContent).toBe("ann-scan.tif (1 of 1)");
  });

  it("a single-page image and a PDF show no page buttons", async () => {
    viewer.openViewer("1001", [{ ...scanA, has_optimized: true }], 0);
    await settle();
    expect(byId("viewer-pages").hidden).toBe(true);
    key(byId("viewer"), "PageDown");
    expect(backend.openDocument).toHaveBeenCalledTimes(1);
  });

  it("offline, a page not kept says so instead of a broken image", async () => {
    viewer.openViewer("1001", [fivePages], 0);
    await resolveNext("page 1");
    key(byId("viewer"), "PageDown");
    opens.get("doc-m")!.reject({ code: "optimized_not_kept", message: "not kept" });
    await settle();
    expect(byId("viewer-status").textContent).toBe("Offline: page 2 was not kept on this computer.");
    expect(byId("viewer-body").querySelector("img")).toBeNull();
  });

  it("a TIFF whose preview the server is still making says so rather than a broken image", async () => {
    const preparing = { ...row("doc-n", "new-scan.tif", "image/tiff"), status_note: "Preparing preview…" };
    viewer.openViewer("1001", [preparing], 0);
    await settle();
    expect(backend.openDocument).not.toHaveBeenCalled();
    expect(byId("viewer-status").textContent).toBe("No preview yet: the server is still preparing it.");
    expect(byId("viewer-body").querySelector("img")).toBeNull();
  });
});
