// Patient banner in the NHS pattern: name, born (with age), gender, NHS number (3-3-4), MRN,
// postcode, and the record's flags.
import type { PatientBanner } from "../backend/types";
import { el } from "../shell/dom";

function field(label: string, value: string, id: string): HTMLElement {
  return el("span", { className: "banner-field" }, [
    el("span", { className: "banner-label", text: label }),
    el("span", { className: "banner-value", text: value, attrs: { id } }),
  ]);
}

export function renderBanner(container: HTMLElement, b: PatientBanner): void {
  const flags: HTMLElement[] = [];
  if (b.restricted) flags.push(el("span", { className: "flag flag-restricted", text: "Restricted record" }));
  if (b.superseded) flags.push(el("span", { className: "flag flag-superseded", text: "Superseded record" }));
  container.replaceChildren(
    el("span", { className: "banner-name", text: b.display_name, attrs: { id: "banner-name" } }),
    field("Born", `${formatDate(b.birth_date)} (${b.age_years}y)`, "banner-dob"),
    field("Gender", b.gender, "banner-gender"),
    field("NHS No.", b.nhs_number, "banner-nhs"),
    field("MRN", b.mrn, "banner-mrn"),
    field("Postcode", b.postcode, "banner-postcode"),
    ...flags,
  );
}

/** ISO date → "14-Mar-1958", the unambiguous form NHS banners use. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  if (!y || !m || !d || m > 12) return iso;
  return `${String(d).padStart(2, "0")}-${months[m - 1]}-${y}`;
}
