// The two platforms the scenarios run on, each set up once per test file: `desktopCtx()` the
// real window (tauri-driver), `browserCtx()` a headless Chromium on the page the records server
// serves. Each registers node:test's before/after hooks (sandbox, driver, session; stopped
// after) and returns the scenario context (see scenarios.mjs): `{ s, sandbox, shot, platform,
// openedAt, reset }`. A runner file is then: make a context, register its tests.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import {
  appLog,
  assertNoSeededIdentifier,
  assertUiBuilt,
  bins,
  chromeCapabilities,
  screenshotDir,
  serverLog,
  startChromedriver,
  startDriver,
  startSandbox,
} from "./harness.mjs";

/** The screens the app can be on, each with the way back to the sign-in screen. */
const SCREENS = ["#signin-view", "#patient-view", "#lock-view", "#new-password-view", "#totp-view"];
const WAY_OUT = {
  "#patient-view": "#sign-out",
  "#lock-view": "#lock-sign-out",
  "#new-password-view": "#new-password-cancel",
  "#totp-view": "#totp-cancel",
};

/** Which screen the app shows, once it shows one. */
async function screenShown(s) {
  let shown = null;
  await s.waitUntil(async () => {
    shown = await s.execute(
      `for (const css of arguments[0]) {
         const e = document.querySelector(css);
         if (e && !e.closest("[hidden]") && e.getClientRects().length > 0) return css;
       }
       return null;`,
      [SCREENS],
    );
    return shown !== null;
  }, "the app shows one of its screens", 30000);
  return shown;
}

/**
 * Brings the app to the sign-in screen with nobody signed in, whatever the scenario before
 * left open (a viewer, a dialog, the lock). The way out is clicked in the page: an open
 * overlay would take a pointer's click.
 */
async function toSignIn(s) {
  for (let i = 0; i < 3; i += 1) {
    const shown = await screenShown(s);
    if (shown === "#signin-view") return;
    await s.execute(
      `for (const d of document.querySelectorAll("dialog[open]")) d.close();
       document.querySelector(arguments[0]).click();`,
      [WAY_OUT[shown]],
    );
    await s.waitUntil(async () => (await screenShown(s)) !== shown, `the app leaves ${shown}`);
  }
  throw new Error("the app did not come back to the sign-in screen");
}

function baseCtx(platform, prefix) {
  const ctx = {
    platform,
    s: null,
    sandbox: null,
    openedAt: 0,
    /** Scenarios run since the app was launched or the page loaded. */
    ran: 0,
    async shot(name) {
      const file = path.join(screenshotDir, `${prefix}${name}.png`);
      writeFileSync(file, await ctx.s.screenshot());
      return file;
    },
  };
  return ctx;
}

/**
 * The desktop window. `serverEnv` adds records-server settings, `viaSwitch` puts a cuttable
 * network between app and cloud (`ctx.sandbox.network`), `driverEnv` adds to the app's
 * environment. `ctx.restart()` quits and relaunches the app (same user data).
 */
export function desktopCtx({ serverEnv = {}, viaSwitch = false, driverEnv = {} } = {}) {
  const ctx = baseCtx("desktop", "");
  let driver;
  const launch = async () => {
    ctx.openedAt = Date.now();
    ctx.s = await Session.create(driver.base, bins.desktop);
    ctx.ran = 0;
    return ctx.s;
  };
  ctx.restart = async () => {
    await ctx.s.close();
    return launch();
  };
  /** Before each scenario: the sign-in screen, at 100%; `relaunch` for a just-opened app. */
  ctx.reset = async ({ relaunch = false } = {}) => {
    await ctx.s.execute("document.documentElement.style.zoom = '';");
    await toSignIn(ctx.s);
    if (relaunch && ctx.ran > 0) {
      await ctx.restart();
      await toSignIn(ctx.s);
    }
  };
  before(async () => {
    ctx.sandbox = await startSandbox({ serverEnv, viaSwitch });
    driver = await startDriver({ ...ctx.sandbox.env, ...driverEnv });
    await launch();
  });
  after(async () => {
    await ctx.s?.close();
    driver?.stop();
    await ctx.sandbox?.stop();
  });
  return ctx;
}

/**
 * Headless Chromium on the UI the records server serves. `serverEnv` adds records-server
 * settings. `ctx.chrome.downloadDir` is where downloads land.
 */
export function browserCtx({ serverEnv = {} } = {}) {
  const ctx = baseCtx("browser", "web-");
  let driver;
  /** Before each scenario: the page loaded afresh (the page keeps no session), at 100%. */
  ctx.reset = async () => {
    await ctx.s.cmd("POST", "/goog/cdp/execute", { cmd: "Emulation.clearDeviceMetricsOverride", params: {} });
    ctx.openedAt = Date.now();
    await ctx.s.navigate(`${ctx.sandbox.serverUrl}/`);
    ctx.ran = 0;
    await toSignIn(ctx.s);
  };
  before(async () => {
    assertUiBuilt();
    ctx.sandbox = await startSandbox({ serverEnv });
    driver = await startChromedriver();
    ctx.chrome = chromeCapabilities();
    ctx.s = await Session.create(driver.base, ctx.chrome.capabilities);
    ctx.openedAt = Date.now();
    await ctx.s.navigate(`${ctx.sandbox.serverUrl}/`);
  });
  after(async () => {
    await ctx.s?.close();
    driver?.stop();
    ctx.chrome?.cleanup();
    await ctx.sandbox?.stop();
  });
  return ctx;
}

/**
 * The check that no patient data reached a log: the server's (and on the desktop the app's),
 * over everything this file ran. Register it after the scenarios: it reads what they logged.
 */
export function registerLogCheck(test, ctx) {
  if (ctx.platform === "desktop") {
    test("no seeded name, NHS number, MRN or file name reaches the app's or the server's log over the whole run", () => {
      assertNoSeededIdentifier(assert, appLog(), ctx.sandbox, "the app's log");
      assertNoSeededIdentifier(assert, serverLog(), ctx.sandbox, "the server's log");
    });
  } else {
    test("no seeded name, NHS number, MRN or file name reaches the server's log over the whole browser run", () => {
      assertNoSeededIdentifier(assert, serverLog(), ctx.sandbox, "the server's log");
    });
  }
}
