// The records admins' notice on the patient-search screen: documents the virus scanner blocked,
// trust-wide ("N documents blocked by the virus scanner"), which opens the list; choosing a row
// opens that patient. Only records admins see it or ask for it; the server refuses anyone else.
import { backend } from "../backend/api";
import type { Alert, SignedInUser } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { view } from "../shell/scope";

const notice = view();

/** Asks for the alerts once a records admin is signed in, and shows the notice when there are
 * any; `openPatient(mrn)` opens the patient a row names. Other roles: nothing asked, nothing shown. */
export async function offerVirusAlerts(user: SignedInUser, openPatient: (mrn: string) => void): Promise<void> {
  resetVirusAlerts();
  // What the screen offers only; the records server decides (records admins, `GET /v1/alerts`).
  if (user.locked || !user.roles.includes("records_admin")) return;
  const scope = notice.open(user.username);
  await scope.run(
    backend.virusAlerts(),
    (list) => draw(list.alerts, openPatient),
    // No notice rather than an error over the search: the list is also in each access history.
    () => undefined,
  );
}

function draw(alerts: Alert[], openPatient: (mrn: string) => void): void {
  if (alerts.length === 0) return;
  const toggle = byId<HTMLButtonElement>("virus-alerts-toggle");
  const n = alerts.length;
  toggle.textContent = `${n} ${n === 1 ? "document" : "documents"} blocked by the virus scanner`;
  toggle.onclick = () => expand(toggle.getAttribute("aria-expanded") !== "true");
  byId("virus-alerts-rows").replaceChildren(
    ...alerts.map((a) =>
      row(a, () => {
        expand(false);
        openPatient(a.mrn);
      }),
    ),
  );
  show(byId("virus-alerts"), true);
}

function row(a: Alert, choose: () => void): HTMLTableRowElement {
  const open = el("button", {
    className: "link-button",
    text: "Open patient",
    attrs: { type: "button", "aria-label": `Open patient ${a.mrn}` },
  });
  open.onclick = choose;
  return el("tr", {}, [
    el("td", { text: a.shown_at }),
    el("td", { text: a.mrn }),
    el("td", { text: categoryShown(a) }),
    el("td", { text: a.file_name ?? "" }),
    el("td", {}, [open]),
  ]);
}

/** The category, or why it is not shown (the server withholds a restricted record's). */
function categoryShown(a: Alert): string {
  if (a.restricted) return "Restricted record: open it to see";
  return a.category_label ?? "No longer in the record";
}

function expand(open: boolean): void {
  byId("virus-alerts-toggle").setAttribute("aria-expanded", String(open));
  show(byId("virus-alerts-list"), open);
}

/** Hides the notice and forgets the list (at sign-out, or before another user's). */
export function resetVirusAlerts(): void {
  notice.close();
  show(byId("virus-alerts"), false);
  expand(false);
  byId("virus-alerts-rows").replaceChildren();
  byId("virus-alerts-toggle").onclick = null;
}
