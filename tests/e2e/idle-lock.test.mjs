// The idle lock in the real window: a short idle time (3 s), the hospital's policy as this
// sandbox's records server publishes it (the desktop takes it from its server, as the browser
// does). The scenario is shared with the browser (browser-idle-lock.test.mjs).
import { after, before, test } from "node:test";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import { bins, screenshotDir, startDriver, startSandbox } from "./harness.mjs";
import { idleLockScenario, registerScenarios } from "./scenarios.mjs";

let sandbox;
let driver;

const ctx = {
  platform: "desktop",
  s: null,
  sandbox: null,
  openedAt: 0,
  async shot(name) {
    writeFileSync(path.join(screenshotDir, `${name}.png`), await ctx.s.screenshot());
  },
};

before(async () => {
  sandbox = await startSandbox({ serverEnv: { CHARTDESK_IDLE_LOCK_SECONDS: "3" } });
  ctx.sandbox = sandbox;
  driver = await startDriver(sandbox.env);
  ctx.openedAt = Date.now();
  ctx.s = await Session.create(driver.base, bins.desktop);
});

after(async () => {
  await ctx.s?.close();
  driver?.stop();
  sandbox?.stop();
});

registerScenarios(test, ctx, [idleLockScenario]);
