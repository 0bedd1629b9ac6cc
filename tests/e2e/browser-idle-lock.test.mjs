// The idle lock in the headless Chromium: the same scenario as the window's (scenarios.mjs),
// with the records server telling the page a 3 s idle time (CHARTDESK_IDLE_LOCK_SECONDS).
import { after, before, test } from "node:test";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import { assertUiBuilt, chromeCapabilities, screenshotDir, startChromedriver, startSandbox } from "./harness.mjs";
import { idleLockScenario, registerScenarios } from "./scenarios.mjs";

let sandbox;
let driver;
let chrome;

const ctx = {
  platform: "browser",
  s: null,
  sandbox: null,
  openedAt: 0,
  async shot(name) {
    writeFileSync(path.join(screenshotDir, `web-${name}.png`), await ctx.s.screenshot());
  },
};

before(async () => {
  assertUiBuilt();
  sandbox = await startSandbox({ serverEnv: { CHARTDESK_IDLE_LOCK_SECONDS: "3" } });
  ctx.sandbox = sandbox;
  driver = await startChromedriver();
  chrome = chromeCapabilities();
  ctx.s = await Session.create(driver.base, chrome.capabilities);
  ctx.openedAt = Date.now();
  await ctx.s.navigate(`${sandbox.serverUrl}/`);
  await ctx.s.waitFor("#signin-view");
});

after(async () => {
  await ctx.s?.close();
  driver?.stop();
  chrome?.cleanup();
  sandbox?.stop();
});

registerScenarios(test, ctx, [idleLockScenario]);
