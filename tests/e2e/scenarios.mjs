// The end-to-end scenarios the desktop window and the browser share, so the two cannot drift:
// desktop.test.mjs and browser.test.mjs register this one list with node:test. Each scenario
// takes a context from platforms.mjs, `{ s, sandbox, shot, platform, openedAt }`: `s` the
// WebDriver session (read it afresh: a desktop test may restart the app), `sandbox` from
// startSandbox(), `shot(name)` saves a screenshot, `platform` "desktop" or "browser",
// `openedAt` the Date.now() at which the app was launched or the page loaded.
//
// Each scenario stands alone: it starts on the sign-in screen (registerScenarios resets the
// app first), signs in itself, and changes documents only on a patient it seeded
// (`ownPatient`), so any one can run alone (`--test-name-pattern`) and in any order
// (CHARTDESK_E2E_ORDER=reverse runs the list backwards).
import { signInScenarios } from "./signin-scenarios.mjs";
import { recordScenarios } from "./record-scenarios.mjs";
import { uploadScenarios } from "./upload-scenarios.mjs";
import { refreshScenarios } from "./refresh-scenarios.mjs";
import { alertScenarios } from "./alert-scenarios.mjs";
import { keyboardScenario } from "./keyboard.mjs";
import { zoomScenario } from "./zoom.mjs";

export const scenarios = [...signInScenarios, ...recordScenarios, ...uploadScenarios, ...alertScenarios, ...refreshScenarios, keyboardScenario, zoomScenario];

/**
 * Registers each scenario with node:test, after bringing the app to the sign-in screen
 * (`ctx.reset`). A failing scenario leaves a screenshot named after it (`failed-<id>`) beside
 * the others.
 */
export function registerScenarios(test, ctx, list = scenarios) {
  // An env read is the test's own setting here, not the app's.
  const ordered = process.env.CHARTDESK_E2E_ORDER === "reverse" ? [...list].reverse() : list;
  for (const scenario of ordered) {
    test(scenario.name, async () => {
      try {
        await ctx.reset({ relaunch: scenario.relaunch === true });
        await scenario.run(ctx);
      } catch (e) {
        await ctx.shot(`failed-${scenario.id}`).catch(() => undefined);
        throw e;
      } finally {
        ctx.ran += 1;
      }
    });
  }
}
