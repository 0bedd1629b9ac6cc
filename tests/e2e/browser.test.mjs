// End to end in a real headless Chromium (chromedriver, W3C WebDriver): the same UI, served by
// the records server at `/`, against the same local cloud. The scenarios the window shares
// (scenarios.mjs), what only the browser must show (browser-only.mjs: no token kept in the
// page, security headers, CORS, export, the offline note), then the server-log check.
import { test } from "node:test";
import { browserCtx, registerLogCheck } from "./platforms.mjs";
import { registerScenarios, scenarios } from "./scenarios.mjs";
import { browserOnlyScenarios } from "./browser-only.mjs";

const ctx = browserCtx();

registerScenarios(test, ctx, [...scenarios, ...browserOnlyScenarios]);
registerLogCheck(test, ctx);
