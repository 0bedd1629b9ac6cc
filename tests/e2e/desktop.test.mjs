// End to end in the real desktop window: sign in → find patient → tiles, against the local cloud.
// The scenarios the browser shares are in scenarios.mjs (browser.test.mjs runs the same list);
// what only the window does (a restart resumes the user, the app's log) is here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import { appLog, bins, screenshotDir, startDriver, startSandbox } from "./harness.mjs";
import { registerScenarios, submitSignIn } from "./scenarios.mjs";

let sandbox;
let driver;

// `s` is reassigned when a test restarts the app; scenarios read it from here each time.
const ctx = {
  platform: "desktop",
  s: null,
  sandbox: null,
  openedAt: 0,
  async shot(name) {
    const file = path.join(screenshotDir, `${name}.png`);
    writeFileSync(file, await ctx.s.screenshot());
    return file;
  },
};

before(async () => {
  sandbox = await startSandbox();
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

registerScenarios(test, ctx);

test("a restart signs the last user straight back in; after sign-out a restart shows sign-in", async () => {
  const nurse = sandbox.report.users.find((u) => u.username === "nurse.hughes");
  let s = ctx.s;
  await submitSignIn(s, nurse.username, nurse.password);
  await s.waitFor("#patient-view");

  await s.close();
  s = ctx.s = await Session.create(driver.base, bins.desktop);
  await s.waitFor("#patient-view");
  assert.equal(await (await s.find("#user-name")).text(), nurse.username);
  assert.equal(await (await s.find("#user-roles")).text(), "Ward staff");
  await ctx.shot("05-restored-after-restart");

  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
  await s.close();
  s = ctx.s = await Session.create(driver.base, bins.desktop);
  await s.waitFor("#signin-view");
});

test("no patient name or NHS number reaches the app's log over the whole run", async () => {
  const log = appLog();
  assert.ok(log.includes("INFO") || log.includes("WARN"), "the app's log was captured");
  const identifiers = [
    "Whitfield", "Kowalczyk", "Adeyemi", "MacLeod", "Gallagher", "Ashworth",
    "9434765919", "943 476 5919", "4010232137", "401 023 2137", "9991860916", "999 186 0916",
  ];
  for (const id of identifiers) assert.ok(!log.includes(id), `the app's log names ${id}`);
});
