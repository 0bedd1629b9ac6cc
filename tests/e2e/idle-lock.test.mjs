// The idle lock in the real window: a short idle time (3 s), the hospital's policy as this
// sandbox's records server publishes it (the desktop takes it from its server, as the browser
// does). The scenario is shared with the browser (browser-idle-lock.test.mjs).
import { test } from "node:test";
import { desktopCtx } from "./platforms.mjs";
import { registerScenarios } from "./scenarios.mjs";
import { idleLockScenario } from "./signin-scenarios.mjs";

const ctx = desktopCtx({ serverEnv: { CHARTDESK_IDLE_LOCK_SECONDS: "3" } });

registerScenarios(test, ctx, [idleLockScenario]);
