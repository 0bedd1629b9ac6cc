// What the browser cannot do is not offered there: the offline copy and its search, keeping a
// patient offline, clearing offline data. The status bar says plainly where offline lives.
import type { Platform } from "../backend/api";
import { byId, show } from "./dom";

export function applyPlatform(p: Platform): void {
  show(byId("browser-offline-note"), !p.offline);
  show(byId("clear-offline"), p.offline);
  show(byId("pin-patient"), p.pinning);
  show(byId("pin-state"), p.pinning);
  // Names seen before are suggested from the offline copy only.
  if (!p.offline) byId<HTMLInputElement>("patient-query").placeholder = "e.g. 943 476 5919 or MRN 10000004";
}
