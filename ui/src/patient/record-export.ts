// "Export record (FHIR)…" (records admins, in the desktop window): the patient's whole record as
// FHIR NDJSON files for another system, saved into a folder the user picks. The records server
// makes the export in the background and audits it; its progress shows in the status line. The
// answer draws only while the same patient is on screen (the panel's scope); the browser, which
// cannot write into a folder, does not offer it.
import { backend, platform } from "../backend/api";
import type { FhirExportSummary } from "../backend/types";
import { byId, show } from "../shell/dom";
import { view } from "../shell/scope";

const panel = view();
/** The patient the button is offered for: nothing is asked for it, so no view. */
const offered = { mrn: null as string | null };

const button = () => byId<HTMLButtonElement>("export-record");
const status = () => byId("export-record-status");

/** Shows or hides the button for the patient drawn; a different patient forgets the last run. */
export function offerRecordExport(mrn: string, allowed: boolean): void {
  if (offered.mrn === mrn) return;
  offered.mrn = mrn;
  panel.close();
  show(button(), allowed && platform.saveDialog);
  button().disabled = false;
  status().textContent = "";
  button().onclick = () => void exportRecord(mrn);
}

async function exportRecord(mrn: string): Promise<void> {
  const scope = panel.open(mrn);
  button().disabled = true;
  status().textContent = "Choose a folder for the export…";
  const said = scope.bind((line: string) => {
    status().textContent = line;
  });
  await scope.run(
    backend.exportRecordFhir(mrn, said),
    (summary) => {
      button().disabled = false;
      status().textContent = summary === null ? "" : done(summary);
    },
    (e) => {
      button().disabled = false;
      status().textContent = e.message;
    },
  );
}

const names: Record<string, [string, string]> = {
  Patient: ["patient", "patients"],
  DocumentReference: ["document", "documents"],
  OperationOutcome: ["problem", "problems"],
};

/** "Exported 1 patient and 7 documents (FHIR R4, NDJSON)." plus where, and any problems. */
function done(summary: FhirExportSummary): string {
  const counted = summary.files.map((f) => {
    const [one, many] = names[f.resource_type] ?? [f.resource_type, f.resource_type];
    return `${f.count} ${f.count === 1 ? one : many}`;
  });
  const folder = summary.files[0]?.path.replace(/[\\/][^\\/]*$/, "");
  const what = counted.length === 0 ? "nothing" : counted.join(" and ");
  return `Exported ${what} (FHIR R4, NDJSON)${folder ? ` into ${folder}` : ""}.`;
}

export function resetRecordExport(): void {
  offered.mrn = null;
  panel.close();
  show(button(), false);
  status().textContent = "";
}
