// What only the window does (see desktop.test.mjs): a restart opens locked for the last user.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { submitSignIn } from "./steps.mjs";

export const desktopOnlyScenarios = [
  {
    id: "restart-locked",
    name: "a restart opens locked for the last user; their password unlocks; Sign in as someone else ends the session",
    async run(ctx) {
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
    },
  },
];
