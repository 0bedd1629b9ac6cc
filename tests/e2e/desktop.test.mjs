// End to end in the real desktop window: sign in → find patient → tiles, against the local cloud.
// The scenarios the browser shares are in scenarios.mjs (browser.test.mjs runs the same list);
// what only the window does (a restart opens locked for the last user, the app's log) is here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appLog, assertNoSeededIdentifier, serverLog } from "./harness.mjs";
import { desktopCtx } from "./platforms.mjs";
import { registerScenarios, submitSignIn } from "./scenarios.mjs";
import { checkA11y } from "./axe.mjs";

const ctx = desktopCtx();

registerScenarios(test, ctx);

test("a restart opens locked for the last user; their password unlocks; Sign in as someone else ends the session", async () => {
  await ctx.reset();
  const nurse = ctx.sandbox.report.users.find((u) => u.username === "nurse.hughes");
  let s = ctx.s;
  await submitSignIn(s, nurse.username, nurse.password);
  await s.waitFor("#patient-view");

  const restart = async () => {
    s = await ctx.restart();
  };
  await restart();
  await s.waitFor("#lock-view");
  assert.equal(await (await s.find("#lock-user")).text(), nurse.username);
  assert.equal(await (await s.activeElement()).attr("id"), "lock-password");
  await ctx.shot("05-locked-after-restart");
  await checkA11y(ctx, "locked after a restart");
  await s.fill("#lock-password", nurse.password);
  await (await s.find("#lock-submit")).click();
  await s.waitUntil(async () => !(await (await s.find("#lock-view")).displayed()), "the lock opens");
  assert.equal(await (await s.find("#user-roles")).text(), "Ward staff");

  await restart();
  const someoneElse = await s.waitFor("#lock-sign-out");
  assert.equal(await someoneElse.text(), "Sign in as someone else");
  await someoneElse.click();
  await s.waitFor("#signin-view");
  // The old session was ended, not just hidden: the next start asks who is signing in.
  await restart();
  await s.waitFor("#signin-view");
});

test("no seeded name, NHS number, MRN or file name reaches the app's or the server's log over the whole run", async () => {
  assertNoSeededIdentifier(assert, appLog(), ctx.sandbox, "the app's log");
  assertNoSeededIdentifier(assert, serverLog(), ctx.sandbox, "the server's log");
});
