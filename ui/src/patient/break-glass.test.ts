// Break-glass in the window: a restricted record is found only after the user gives a reason;
// cancelling opens nothing, and the previous patient never stays on screen behind the prompt.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadPage, settle, summary } from "../documents/test-support";
import { byId } from "../shell/dom";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  // The record's poll never answers here (live-refresh.test covers it).
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  searchOffline: vi.fn(),
  listDocumentsPage: vi.fn(),
  onUploadProgress: vi.fn(),
}));
const ask = vi.hoisted(() => ({ askBreakGlassReason: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));
vi.mock("./break-glass", () => ask);
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

const restricted = { code: "reason_required", message: "This record is restricted." };
const siobhan = summary("10000007", "GALLAGHER, Siobhan");
const amara = summary("10000001", "WHITFIELD, Amara");

function searchFor(text: string): void {
  byId<HTMLInputElement>("patient-query").value = text;
  byId<HTMLFormElement>("search-form").requestSubmit();
}

beforeEach(async () => {
  vi.resetModules();
  for (const fn of [...Object.values(backend), ask.askBreakGlassReason]) fn.mockReset();
  loadPage();
  backend.searchOffline.mockResolvedValue([]);
  const search = await import("./search");
  search.initPatientSearch(vi.fn());
  // Amara is on screen first.
  backend.findPatient.mockResolvedValueOnce(amara);
  searchFor("943 476 5919");
  await settle(0);
});

describe("a restricted record needs a stated reason", () => {
  it("is found again with the reason the user gave, and only then shown", async () => {
    backend.findPatient.mockRejectedValueOnce(restricted).mockResolvedValueOnce(siobhan);
    let visibleWhileAsking: boolean | undefined;
    ask.askBreakGlassReason.mockImplementation(async () => {
      visibleWhileAsking = !byId("patient-record").hidden;
      return { reason: "clinical_emergency", detail: "arrest call" };
    });
    searchFor("999 186 0916");
    await settle(0);

    expect(visibleWhileAsking).toBe(false);
    expect(backend.findPatient).toHaveBeenLastCalledWith("999 186 0916", {
      reason: "clinical_emergency",
      detail: "arrest call",
    });
    expect(byId("banner-mrn").textContent).toBe("10000007");
  });

  it("cancelling the prompt opens nothing and says why", async () => {
    backend.findPatient.mockRejectedValueOnce(restricted);
    ask.askBreakGlassReason.mockResolvedValue(null);
    searchFor("999 186 0916");
    await settle(0);

    expect(backend.findPatient).toHaveBeenCalledTimes(2);
    expect(byId("patient-record").hidden).toBe(true);
    expect(byId("search-error").textContent).toContain("needs a reason");
  });
});
