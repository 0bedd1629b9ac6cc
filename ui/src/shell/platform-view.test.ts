// The browser hides only what it cannot do, and says where offline viewing lives.
import { beforeEach, describe, expect, it } from "vitest";
import { loadPage } from "../documents/test-support";
import { byId } from "./dom";
import { applyPlatform } from "./platform-view";

beforeEach(loadPage);

describe("what each platform offers", () => {
  it("the browser hides offline copies and pinning, and says offline needs the desktop app", () => {
    applyPlatform({ kind: "browser", offline: false, pinning: false, saveDialog: false });
    expect(byId("browser-offline-note").hidden).toBe(false);
    expect(byId("browser-offline-note").textContent).toBe("Offline viewing needs the Chartdesk desktop app");
    expect(byId("clear-offline").hidden).toBe(true);
    expect(byId("pin-patient").hidden).toBe(true);
    // Access history shares the bar and stays available.
    expect(byId("show-access-history").parentElement!.hidden).toBe(false);
  });

  it("the desktop window keeps every offline control and shows no note", () => {
    applyPlatform({ kind: "desktop", offline: true, pinning: true, saveDialog: true });
    expect(byId("browser-offline-note").hidden).toBe(true);
    expect(byId("clear-offline").hidden).toBe(false);
    expect(byId("pin-patient").hidden).toBe(false);
    expect(byId<HTMLInputElement>("patient-query").placeholder).toContain("a name seen before");
  });
});
