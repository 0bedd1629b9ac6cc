// The one place the transport is chosen: Tauri IPC inside the desktop window, HTTPS to the
// records server in a browser. Screens import `backend` (and `platform`, only to hide what
// the browser cannot do) from here and never know which one is in use.
import type { Backend, Platform } from "./contract";
import { tauriBackend, tauriPlatform } from "./tauri";
import { webBackend, webPlatform } from "./web";

export { asUiError } from "./contract";
export type { Backend, Platform, StatedReason } from "./contract";

const inWindow = typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

export const backend: Backend = inWindow ? tauriBackend : webBackend;
export const platform: Platform = inWindow ? tauriPlatform : webPlatform;
