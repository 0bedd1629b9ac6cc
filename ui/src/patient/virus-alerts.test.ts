// The records admins' notice of documents the virus scanner blocked: only records admins see
// it or ask for it, it counts the alerts, opens the list, and a row opens that patient.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadPage, settle } from "../documents/test-support";
import { byId } from "../shell/dom";
import type { Alert, Role, SignedInUser } from "../backend/types";

const backend = vi.hoisted(() => ({ virusAlerts: vi.fn() }));
vi.mock("../backend/api", () => ({ backend }));

const user = (roles: Role[], locked = false): SignedInUser => ({
  username: "someone",
  roles,
  roles_label: roles.join(", "),
  locked,
});

const alert = (over: Partial<Alert>): Alert => ({
  at: "2026-11-30T09:15:00Z",
  shown_at: "30-Nov-2026 09:15 GMT",
  mrn: "30000095",
  category: "lab",
  category_label: "Lab",
  doc_id: "0192aaaa-0000-7000-8000-000000000001",
  file_name: "referral.pdf",
  what: "Blocked a document: a virus was found",
  restricted: false,
  ...over,
});

const toggle = () => byId<HTMLButtonElement>("virus-alerts-toggle");
const rows = () => [...byId("virus-alerts-rows").querySelectorAll("tr")].map((tr) => [...tr.cells].map((c) => c.textContent));

beforeEach(() => {
  vi.resetModules();
  backend.virusAlerts.mockReset();
  loadPage();
});

describe("the virus scanner notice", () => {
  it("is never asked for nor shown to clinicians or ward staff", async () => {
    const { offerVirusAlerts } = await import("./virus-alerts");
    for (const roles of [["clinician"], ["ward_staff"]] as Role[][]) {
      await offerVirusAlerts(user(roles), vi.fn());
    }
    expect(backend.virusAlerts).not.toHaveBeenCalled();
    expect(byId("virus-alerts").hidden).toBe(true);
  });

  it("stays hidden for a records admin when nothing was blocked", async () => {
    backend.virusAlerts.mockResolvedValue({ alerts: [] });
    const { offerVirusAlerts } = await import("./virus-alerts");
    await offerVirusAlerts(user(["records_admin"]), vi.fn());
    expect(backend.virusAlerts).toHaveBeenCalledOnce();
    expect(byId("virus-alerts").hidden).toBe(true);
  });

  it("counts the blocked documents and opens the list, newest first, saying plainly why a file name is missing", async () => {
    backend.virusAlerts.mockResolvedValue({
      alerts: [
        alert({}),
        alert({ mrn: "30000096", category: null, category_label: null, file_name: null }),
        alert({ mrn: "10000007", category: null, category_label: null, file_name: null, restricted: true }),
      ],
    });
    const { offerVirusAlerts } = await import("./virus-alerts");
    await offerVirusAlerts(user(["records_admin"]), vi.fn());
    expect(byId("virus-alerts").hidden).toBe(false);
    expect(toggle().textContent).toBe("3 documents blocked by the virus scanner");
    expect(toggle().getAttribute("aria-expanded")).toBe("false");
    expect(byId("virus-alerts-list").hidden).toBe(true);
    toggle().click();
    expect(toggle().getAttribute("aria-expanded")).toBe("true");
    expect(byId("virus-alerts-list").hidden).toBe(false);
    expect(rows()).toEqual([
      ["30-Nov-2026 09:15 GMT", "30000095", "Lab", "referral.pdf", "Open patient"],
      ["30-Nov-2026 09:15 GMT", "30000096", "No longer in the record", "", "Open patient"],
      ["30-Nov-2026 09:15 GMT", "10000007", "Restricted record: open it to see", "", "Open patient"],
    ]);
  });

  it("choosing a row opens that patient and closes the list", async () => {
    backend.virusAlerts.mockResolvedValue({ alerts: [alert({ mrn: "30000097" })] });
    const openPatient = vi.fn();
    const { offerVirusAlerts } = await import("./virus-alerts");
    await offerVirusAlerts(user(["records_admin"]), openPatient);
    expect(toggle().textContent).toBe("1 document blocked by the virus scanner");
    toggle().click();
    const open = byId("virus-alerts-rows").querySelector("button")!;
    expect(open.getAttribute("aria-label")).toBe("Open patient 30000097");
    open.click();
    expect(openPatient).toHaveBeenCalledWith("30000097");
    expect(byId("virus-alerts-list").hidden).toBe(true);
  });

  it("is forgotten at sign-out, and an answer arriving after it draws nothing", async () => {
    let answer!: (v: { alerts: Alert[] }) => void;
    backend.virusAlerts.mockReturnValue(new Promise((r) => (answer = r)));
    const { offerVirusAlerts, resetVirusAlerts } = await import("./virus-alerts");
    const offered = offerVirusAlerts(user(["records_admin"]), vi.fn());
    resetVirusAlerts();
    answer({ alerts: [alert({})] });
    await offered;
    await settle();
    expect(byId("virus-alerts").hidden).toBe(true);
    expect(rows()).toEqual([]);
  });
});
