// "Export record (FHIR)…": offered to records admins in the window only, progress in the status
// line, the counts when done, and nothing drawn for a patient no longer on screen.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, loadPage, settle } from "../documents/test-support";
import { byId } from "../shell/dom";
import type { FhirExportSummary } from "../backend/types";

const backend = vi.hoisted(() => ({ exportRecordFhir: vi.fn() }));
const platform = vi.hoisted(() => ({ kind: "desktop", offline: true, pinning: true, saveDialog: true }));
vi.mock("../backend/api", () => ({ backend, platform }));

const button = () => byId<HTMLButtonElement>("export-record");
const status = () => byId("export-record-status").textContent;

const summary: FhirExportSummary = {
  transaction_time: "2026-12-06T10:00:00Z",
  files: [
    { resource_type: "Patient", path: "/home/byrne/exports/Patient.ndjson", count: 1 },
    { resource_type: "DocumentReference", path: "/home/byrne/exports/DocumentReference.ndjson", count: 7 },
  ],
};

beforeEach(() => {
  vi.resetModules();
  backend.exportRecordFhir.mockReset();
  platform.saveDialog = true;
  loadPage();
});

describe("exporting a record as FHIR", () => {
  it("is offered to records admins in the window, and not in the browser or to others", async () => {
    const { offerRecordExport } = await import("./record-export");
    offerRecordExport("10000001", true);
    expect(button().hidden).toBe(false);
    offerRecordExport("10000002", false);
    expect(button().hidden).toBe(true);
    platform.saveDialog = false;
    offerRecordExport("10000003", true);
    expect(button().hidden).toBe(true);
  });

  it("shows the server's progress, then what was exported and where", async () => {
    const answer = deferred<FhirExportSummary | null>();
    backend.exportRecordFhir.mockImplementation((_mrn: string, onProgress: (s: string) => void) => {
      onProgress("Exporting: 1 of 1 patients");
      return answer.promise;
    });
    const { offerRecordExport } = await import("./record-export");
    offerRecordExport("10000001", true);
    button().click();
    await settle(0);
    expect(backend.exportRecordFhir).toHaveBeenCalledWith("10000001", expect.any(Function));
    expect(status()).toBe("Exporting: 1 of 1 patients");
    expect(button().disabled).toBe(true);
    answer.resolve(summary);
    await settle(0);
    expect(status()).toBe("Exported 1 patient and 7 documents (FHIR R4, NDJSON) into /home/byrne/exports.");
    expect(button().disabled).toBe(false);
  });

  it("says nothing when the folder dialog was closed, and the server's words when refused", async () => {
    backend.exportRecordFhir.mockResolvedValueOnce(null);
    const { offerRecordExport } = await import("./record-export");
    offerRecordExport("10000001", true);
    button().click();
    await settle(0);
    expect(status()).toBe("");
    backend.exportRecordFhir.mockRejectedValueOnce({ code: "forbidden", message: "Only records admins may export records" });
    button().click();
    await settle(0);
    expect(status()).toBe("Only records admins may export records");
    expect(button().disabled).toBe(false);
  });

  it("draws nothing for a patient no longer on screen", async () => {
    const answer = deferred<FhirExportSummary | null>();
    let progress: (s: string) => void = () => undefined;
    backend.exportRecordFhir.mockImplementation((_mrn: string, onProgress: (s: string) => void) => {
      progress = onProgress;
      return answer.promise;
    });
    const { offerRecordExport } = await import("./record-export");
    offerRecordExport("10000001", true);
    button().click();
    await settle(0);
    offerRecordExport("10000002", true);
    progress("Exporting: 1 of 1 patients");
    answer.resolve(summary);
    await settle(0);
    expect(status()).toBe("");
    expect(button().disabled).toBe(false);
  });
});
