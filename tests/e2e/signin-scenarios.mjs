// The sign-in scenarios (see scenarios.mjs): the sign-in form, a temporary password, an
// authenticator code, signing out, the idle lock. Each starts on the sign-in screen.
import assert from "node:assert/strict";
import { recordTiming } from "./harness.mjs";
import { freshTotp, totpAt } from "./totp.mjs";
import { checkA11y } from "./axe.mjs";
import { openDemoPatient, signOut, submitSignIn, user } from "./steps.mjs";
import { timedSignIn } from "./timers.mjs";

export const signInScenarios = [
  {
    id: "sign-in-screen",
    name: "the app opens on the sign-in screen",
    // Its timings are from launching the app or loading the page: start afresh.
    relaunch: true,
    async run(ctx) {
      const { s } = ctx;
      await s.waitFor("#signin-view");
      const wall = Date.now() - ctx.openedAt;
      const page = await s.execute(
        `const fcp = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
         return { now: performance.now(), fcp: fcp ? fcp.startTime : null };`,
      );
      // From launching the app (window) or asking for the URL (browser) until WebDriver sees
      // the form: includes the driver's own start-up and polling.
      recordTiming(ctx.platform, "open_to_signin_shown_wall_ms", wall);
      recordTiming(ctx.platform, "navigation_to_first_contentful_paint_ms", page.fcp ?? undefined);
      // The page's clock when the form was first seen displayed (an upper bound).
      recordTiming(ctx.platform, "navigation_to_signin_seen_ms", page.now);
      if (ctx.platform === "desktop") {
        await s.waitUntil(
          async () => (await (await s.find("#status-profile")).text()).includes("sandbox"),
          "status bar shows the profile",
        );
      }
      await ctx.shot("01-sign-in");
      await checkA11y(ctx, "sign-in");
    },
  },
  {
    id: "wrong-password",
    name: "a wrong password is refused in plain words and the password field is cleared",
    async run(ctx) {
      const { s } = ctx;
      await submitSignIn(s, "dr.okafor", "Not-The-Password-1!");
      const error = await s.waitFor("#signin-error");
      assert.equal(await error.text(), "The user name or password is incorrect");
      assert.equal(await (await s.find("#password")).prop("value"), "");
      assert.equal(await (await s.find("#password")).attr("aria-invalid"), "true", "the error is tied to the field");
      await checkA11y(ctx, "sign-in, password refused");
    },
  },
  {
    id: "clinician-signs-in",
    name: "the demo clinician signs in and lands on the patient search with focus in the box",
    async run(ctx) {
      const { s } = ctx;
      const signinMs = await timedSignIn(ctx, "dr.okafor");
      recordTiming(ctx.platform, "signin_submit_to_search_shown_ms", signinMs);
      assert.equal(await (await s.find("#user-roles")).text(), "Clinician");
      const active = await s.activeElement();
      assert.equal(await active.attr("id"), "patient-query");
      await checkA11y(ctx, "patient search");
    },
  },
  {
    id: "sign-out",
    name: "signing out returns to the sign-in screen and clears the patient",
    async run(ctx) {
      const { s } = ctx;
      await openDemoPatient(ctx);
      await signOut(s);
      await checkA11y(ctx, "sign-in after sign-out");
      assert.equal(await (await s.find("#patient-record")).displayed(), false);
      assert.equal(await (await s.find("#patient-banner")).text(), "");
    },
  },
  {
    id: "temporary-password",
    name: "a first sign-in with a temporary password asks for a new one, refuses a weak one, then signs in",
    async run(ctx) {
      const { s } = ctx;
      const starter = ctx.sandbox.report.users.find((u) => u.must_change_password);
      await submitSignIn(s, starter.username, starter.password);
      await s.waitFor("#new-password-view");
      const rules = await s.findAll("#new-password-rules li");
      assert.equal(await rules[0].text(), "At least 12 characters");
      assert.equal(await (await s.activeElement()).attr("id"), "new-password");
      await checkA11y(ctx, "new password");

      await s.fill("#new-password", "short");
      await s.fill("#confirm-password", "short");
      await (await s.find("#new-password-submit")).click();
      const error = await s.waitFor("#new-password-error");
      assert.match(await error.text(), /password/i);
      await ctx.shot("04-new-password-refused");
      await checkA11y(ctx, "new password, refused");

      await s.fill("#new-password", "Chosen-Pass-2026!");
      await s.fill("#confirm-password", "Chosen-Pass-2026!");
      await (await s.find("#new-password-submit")).click();
      await s.waitFor("#patient-view");
      assert.equal(await (await s.find("#user-name")).text(), starter.username);
      await signOut(s);
    },
  },
  {
    id: "totp",
    name: "an authenticator user is asked for the 6-digit code; a wrong one is refused, the right one signs in",
    async run(ctx) {
      const { s } = ctx;
      assert.equal(totpAt("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082", "RFC 6238 vector");
      const mfa = ctx.sandbox.report.users.find((u) => u.totp_secret);
      await submitSignIn(s, mfa.username, mfa.password);
      await s.waitFor("#totp-view");
      assert.equal(await (await s.activeElement()).attr("id"), "totp-code");
      await checkA11y(ctx, "authenticator code");

      const right = await freshTotp(mfa.totp_secret);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
      await s.fill("#totp-code", wrong);
      await (await s.find("#totp-submit")).click();
      const error = await s.waitFor("#totp-error");
      assert.match(await error.text(), /^That code is not right/);
      await ctx.shot("07-totp-wrong-code");
      await checkA11y(ctx, "authenticator code, refused");

      await s.fill("#totp-code", await freshTotp(mfa.totp_secret));
      await (await s.find("#totp-submit")).click();
      await s.waitFor("#patient-view");
      assert.equal(await (await s.find("#user-name")).text(), mfa.username);
      await signOut(s);
    },
  },
];

/**
 * The idle lock, for an app whose idle time is 3 s (CHARTDESK_IDLE_LOCK_SECONDS for the records
 * server, whose client config tells the window and the page alike). Starts on the sign-in screen.
 */
export const idleLockScenario = {
  id: "idle-lock",
  name: "left idle, the app blurs the patient behind a password prompt; the right password unlocks it",
  async run(ctx) {
    const { s } = ctx;
    const clinician = user(ctx, "dr.okafor");
    await openDemoPatient(ctx, clinician.username);

    await s.waitFor("#lock-view", 15000);
    assert.equal(await (await s.find("#lock-user")).text(), "dr.okafor");
    assert.match(await (await s.find("#main")).css("filter"), /blur/);
    await ctx.shot("06-idle-locked");
    await checkA11y(ctx, "lock screen");

    await s.fill("#lock-password", "Not-The-Password-1!");
    await (await s.find("#lock-submit")).click();
    const error = await s.waitFor("#lock-error");
    assert.equal(await error.text(), "The user name or password is incorrect");
    assert.equal(await (await s.find("#lock-view")).displayed(), true, "still locked");
    await checkA11y(ctx, "lock screen, password refused");

    await s.fill("#lock-password", clinician.password);
    await (await s.find("#lock-submit")).click();
    await s.waitUntil(async () => !(await (await s.find("#lock-view")).displayed()), "the lock screen closes");
    assert.equal(await (await s.find("#banner-name")).text(), "WHITFIELD, Amara", "the patient is still open");
  },
};
