// Dates typed as staff write them (dd/mm/yyyy), whatever the computer's locale: a browser's
// own date input shows the machine's order (mm/dd/yyyy on a US-set PC), a wrong-patient-day risk.

/** `14/03/1958` (also `14-03-1958`, `14.3.1958`) → `1958-03-14`; empty → ""; else null. */
export function parseUkDate(text: string): string | null {
  const typed = text.trim();
  if (typed === "") return "";
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(typed);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Rejects 31/02 and the like, which Date would roll over into March.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
