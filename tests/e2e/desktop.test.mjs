// End to end in the real desktop window (tauri-driver + WebKitWebDriver), against the local
// cloud: the scenarios the browser shares (scenarios.mjs), what only the window does
// (desktop-only.mjs), then the check that no patient data reached the app's or server's log.
import { test } from "node:test";
import { desktopCtx, registerLogCheck } from "./platforms.mjs";
import { registerScenarios, scenarios } from "./scenarios.mjs";
import { desktopOnlyScenarios } from "./desktop-only.mjs";

const ctx = desktopCtx();

registerScenarios(test, ctx, [...scenarios, ...desktopOnlyScenarios]);
registerLogCheck(test, ctx);
