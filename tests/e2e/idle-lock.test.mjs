// The idle lock in the real window: a short idle time (3 s) for this app instance only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import { bins, screenshotDir, startDriver, startSandbox } from "./harness.mjs";

let sandbox;
let driver;
let s;

before(async () => {
  sandbox = await startSandbox();
  driver = await startDriver({ ...sandbox.env, CHARTDESK_IDLE_LOCK_SECONDS: "3" });
  s = await Session.create(driver.base, bins.desktop);
});

after(async () => {
  await s?.close();
  driver?.stop();
  sandbox?.stop();
});

test("left idle, the window blurs the patient behind a password prompt; the right password unlocks it", async () => {
  await s.fill("#username", "dr.okafor");
  await s.fill("#password", "Demo-Clinician-2026!");
  await (await s.find("#signin-submit")).click();
  await s.fill("#patient-query", "943 476 5919");
  await (await s.find("#search-submit")).click();
  await s.waitFor("#patient-record");

  await s.waitFor("#lock-view", 15000);
  assert.equal(await (await s.find("#lock-user")).text(), "dr.okafor");
  assert.match(await (await s.find("#main")).css("filter"), /blur/);
  writeFileSync(path.join(screenshotDir, "06-idle-locked.png"), await s.screenshot());

  await s.fill("#lock-password", "Not-The-Password-1!");
  await (await s.find("#lock-submit")).click();
  const error = await s.waitFor("#lock-error");
  assert.equal(await error.text(), "The user name or password is incorrect");
  assert.equal(await (await s.find("#lock-view")).displayed(), true, "still locked");

  await s.fill("#lock-password", "Demo-Clinician-2026!");
  await (await s.find("#lock-submit")).click();
  await s.waitUntil(async () => !(await (await s.find("#lock-view")).displayed()), "the lock screen closes");
  assert.equal(await (await s.find("#banner-name")).text(), "WHITFIELD, Amara", "the patient is still open");
});
