// The idle lock in the headless Chromium: the same scenario as the window's (scenarios.mjs),
// with the records server telling the page a 3 s idle time (CHARTDESK_IDLE_LOCK_SECONDS).
import { test } from "node:test";
import { browserCtx } from "./platforms.mjs";
import { registerScenarios } from "./scenarios.mjs";
import { idleLockScenario } from "./signin-scenarios.mjs";

const ctx = browserCtx({ serverEnv: { CHARTDESK_IDLE_LOCK_SECONDS: "3" } });

registerScenarios(test, ctx, [idleLockScenario]);
