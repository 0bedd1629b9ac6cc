// Shared by the documents tests (never imported by the app): the real page, rows, and
// promises the test settles in the order it wants.
/// <reference types="vite/client" />
import { type Mock, vi } from "vitest";
import page from "../../index.html?raw";
import type { DocumentRow, PatientSummary, Tile } from "../backend/types";

/** Lays out the app's real markup (scripts in <head> are not run). */
export function loadPage(): void {
  document.body.innerHTML = new DOMParser().parseFromString(page, "text/html").body.innerHTML;
}

export type Deferred<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Makes `listDocumentsPage` answer a category's rows, all on its first page, only when the
 * test settles the promise kept under the patient's MRN in the map returned. */
export function pendingLists(listDocumentsPage: Mock): Map<string, Deferred<DocumentRow[]>> {
  const lists = new Map<string, Deferred<DocumentRow[]>>();
  listDocumentsPage.mockImplementation((mrn: string, category: string) => {
    const answer = deferred<DocumentRow[]>();
    lists.set(mrn, answer);
    return answer.promise.then((rows) => ({ category, rows }));
  });
  return lists;
}

/** Lets pending promise callbacks and short timers run. */
export function settle(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function row(id: string, fileName: string, contentType = "image/png"): DocumentRow {
  return {
    id,
    category: "lab",
    category_label: "Lab",
    file_name: fileName,
    content_type: contentType,
    size: 1234,
    created: "2024-05-01T10:00:00Z",
    uploaded_by: "nurse.a",
    stamp: null,
    scan_status: "clean",
    can_open: true,
    stamp_action: "Verify",
    can_remove: false,
    has_thumbnail: false,
    has_optimized: false,
  };
}

export function tile(count = 1): Tile {
  return {
    category: "lab",
    label: "Lab",
    count,
    has_documents: count > 0,
    accessible_name: `Lab, ${count} documents`,
    stamp_summary: null,
  };
}

export function summary(mrn: string, name: string): PatientSummary {
  return {
    banner: {
      mrn,
      nhs_number: "943 476 5919",
      display_name: name,
      birth_date: "1958-03-14",
      age_years: 68,
      gender: "Female",
      postcode: "AB1 2CD",
      restricted: false,
      superseded: false,
    },
    tiles: [tile()],
    can_upload: false,
    can_view_history: false,
    can_export_record: false,
    can_export: true,
    pinned: false,
    synced_at: null,
  };
}

export function key(target: EventTarget, key: string): void {
  target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
}

export const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** The viewer tests' setup (the test file mocks ../backend/api and pdf.js itself): the real page
 * and a freshly imported viewer, each `openDocument` held until the test answers it in `opens`
 * (by document id), and object URLs recorded so `shownImageText` reads which bytes the <img> shows. */
export async function startViewer(openDocument: Mock) {
  vi.resetModules();
  openDocument.mockReset();
  loadPage();
  const blobs = new Map<string, Blob>();
  let n = 0;
  URL.createObjectURL = (b: Blob | MediaSource) => {
    const url = `blob:test/${++n}`;
    blobs.set(url, b as Blob);
    return url;
  };
  URL.revokeObjectURL = () => undefined;
  Element.prototype.scrollIntoView = () => undefined;
  const opens = new Map<string, Deferred<ArrayBuffer>>();
  openDocument.mockImplementation((_mrn: string, id: string) => {
    const answer = deferred<ArrayBuffer>();
    opens.set(id, answer);
    return answer.promise;
  });
  const viewer = await import("./viewer");
  viewer.initViewer();
  async function shownImageText(): Promise<string | null> {
    const img = document.getElementById("viewer-body")?.querySelector("img");
    const blob = img && blobs.get(img.getAttribute("src") ?? "");
    return blob ? blob.text() : null;
  }
  return { viewer, opens, shownImageText };
}
