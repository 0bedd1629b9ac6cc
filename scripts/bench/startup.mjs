// Start-up time and memory of the real window (issue 13 item 6), with a plain Tauri 2 window
// (crates/tools/hello-window) as the floor. Appends result lines (README.md here); reports, never asserts.
// Run under Xvfb as the e2e tests are (scripts/test.sh), with CHARTDESK_DESKTOP_BIN, HELLO_WINDOW_BIN,
// CHARTDESK_SERVER_BIN, CHARTDESK_BIN set; BENCH_RUNS (default 5), BENCH_RESULTS (else stdout).
import { appendFileSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { bins, repoRoot, startDriver, startSandbox } from "../../tests/e2e/harness.mjs";
import { Session, sleep } from "../../tests/e2e/webdriver.mjs";
import { descendants, findApp, processes } from "./procs.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
const helloBin = process.env.HELLO_WINDOW_BIN ?? path.join(targetDir, "debug/hello-window");
const SETTLE_MS = 2000;
const NHS_NUMBER = "943 476 5919";
const build = (bin) => (bin.includes("/debug/") ? "debug" : "release");
const log = (...a) => console.error("startup:", ...a);

// In the page: waits (checking once a frame) until `sel` is shown, then until the frame showing it
// has been rendered: the next animation-frame callback if it was seen in one, else the second
// (the first may run before that paint). Checking in the page adds no WebDriver round trip per poll.
const PAINTED = `
const [sel, text, errorSel] = arguments, done = arguments[arguments.length - 1];
const shown = (el) => el && !el.closest("[hidden]") && el.getClientRects().length > 0 &&
  getComputedStyle(el).visibility !== "hidden" && (!text || el.textContent.includes(text));
const tick = (inFrame) => {
  const err = errorSel && document.querySelector(errorSel);
  if (shown(err) && err.textContent.trim()) return done({ error: err.textContent.trim() });
  if (shown(document.querySelector(sel))) {
    // Navigation Timing (page clock, epoch ms) shows where the time went.
    const nav = performance.getEntriesByType("navigation")[0];
    const at = (ms) => performance.timeOrigin + ms;
    const painted = () => done({ ok: true, firstCheck: !inFrame, navAt: at(0), domAt: at(nav?.domContentLoadedEventEnd ?? 0) });
    return requestAnimationFrame(inFrame ? painted : () => requestAnimationFrame(painted));
  }
  requestAnimationFrame(() => tick(true));
};
tick(false);`;

const kb = (text, field) => Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);

/** RSS and PSS (MB) summed over the app and its descendants (WebKit's web and network processes). */
function memory(appPid) {
  const table = processes();
  let rss = 0;
  let pss = 0;
  const parts = [];
  for (const pid of descendants(table, appPid)) {
    try {
      const one = kb(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
      rss += one;
      pss += kb(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
      parts.push(`${table.get(pid).comm} ${(one / 1024).toFixed(0)}`);
    } catch {
      // Exited while we looked.
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, parts: parts.join(", ") };
}

/** Closes the session and waits until the app and all it started have exited (cold next start). */
async function closeApp(s, appPid) {
  const tree = descendants(processes(), appPid);
  await s.close();
  const left = () => tree.filter((pid) => processes().has(pid));
  for (let i = 0; i < 100 && left().length; i++) await sleep(50);
  for (const pid of left()) {
    log(`pid ${pid} (${processes().get(pid)?.comm}) still running 5 s after the session closed; killing it`);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/** One cold start: new session (tauri-driver launches `bin`), time until `sel` is painted. */
async function launch(driver, bin, sel, text, errorSel) {
  const t0 = performance.now();
  const s = await Session.create(driver.base, bin, 30000);
  const session = performance.now() - t0;
  const result = await s.executeAsync(PAINTED, [sel, text, errorSel]).catch(async (e) => {
    await s.close();
    throw new Error(`${path.basename(bin)}: ${sel} was never painted: ${e.message}`);
  });
  const painted = performance.now() - t0;
  if (result?.error) {
    await s.close();
    throw new Error(`${path.basename(bin)} showed a start-up error: ${result.error}`);
  }
  const since = (epochMs) => epochMs - (performance.timeOrigin + t0);
  const page = `page loading from ${since(result.navAt).toFixed(0)} ms, DOM ready ${since(result.domAt).toFixed(0)} ms`;
  return { s, session, painted, page, firstCheck: result.firstCheck, pid: findApp(bin) };
}

async function chartdeskRun(driver, user) {
  const run = await launch(driver, bins.desktop, "#signin-view", null, "#startup-error");
  const { s } = run;
  try {
    await sleep(SETTLE_MS);
    const idle = memory(run.pid);
    await s.fill("#username", user.username);
    await s.fill("#password", user.password);
    await (await s.find("#signin-submit")).click();
    await s.waitFor("#patient-view");
    await s.fill("#patient-query", NHS_NUMBER);
    await (await s.find("#search-submit")).click();
    await s.waitFor("#patient-record");
    await s.waitUntil(async () => {
      const tiles = await s.findAll("#tiles button.tile");
      return tiles.length === 7;
    }, "the patient's seven tiles are shown");
    await sleep(SETTLE_MS);
    const patient = memory(run.pid);
    // Signed out, the next start shows the sign-in screen (not a resumed session).
    await (await s.find("#sign-out")).click();
    await s.waitFor("#signin-view");
    return { ...run, idle, patient };
  } finally {
    await closeApp(s, run.pid);
  }
}

async function helloRun(driver) {
  const run = await launch(driver, helloBin, "#hello", "Hello", null);
  try {
    await sleep(SETTLE_MS);
    return { ...run, idle: memory(run.pid) };
  } finally {
    await closeApp(run.s, run.pid);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const r1 = (x) => Math.round(x * 10) / 10;

async function main() {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, not ${process.env.BENCH_RUNS}`);
  for (const [name, bin] of Object.entries({ desktop: bins.desktop, hello: helloBin, cli: bins.cli, server: bins.server })) {
    try {
      realpathSync(bin);
    } catch {
      throw new Error(`${name} binary not found: ${bin} (build it, or set the *_BIN variables named at the top of this script)`);
    }
  }
  let sandbox;
  let driver;
  const stop = () => (driver?.stop(), sandbox?.stop());
  const onSignal = () => (stop(), process.exit(130));
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  try {
    sandbox = await startSandbox();
    // The production log level: the harness's default (info, for the e2e log checks) costs time.
    driver = await startDriver({ ...sandbox.env, RUST_LOG: "warn" });
    const user = sandbox.report.users.find((u) => u.username === "dr.okafor");
    // One unrecorded start of each first: WebKitWebDriver may not be listening yet, and every
    // recorded run then finds the same (warm) OS file cache.
    log("warm-up start of each window (not recorded)");
    await chartdeskRun(driver, user);
    await helloRun(driver);
    const ours = [];
    const floor = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift on the machine affects both alike.
      ours.push(await chartdeskRun(driver, user));
      floor.push(await helloRun(driver));
      const [o, f] = [ours.at(-1), floor.at(-1)];
      // "shown at first check": the page was ready before our script ran, so the figure is an upper bound.
      const first = (r) => (r.firstCheck ? ", shown at first check" : "");
      log(`run ${i + 1}/${runs}: chartdesk ${o.painted.toFixed(0)} ms (session up ${o.session.toFixed(0)} ms, ${o.page}${first(o)}), ` +
        `RSS ${o.idle.rss.toFixed(0)} → ${o.patient.rss.toFixed(0)} MB; hello ${f.painted.toFixed(0)} ms ` +
        `(session up ${f.session.toFixed(0)} ms, ${f.page}${first(f)}), RSS ${f.idle.rss.toFixed(0)} MB`);
    }
    const whoOurs = `chartdesk window (${build(bins.desktop)})`;
    const whoPeer = `tauri hello-world (${build(helloBin)})`;
    const line = (row, metric, who, isOurs, unit, samples, goal) =>
      JSON.stringify({ row, metric, who, ours: isOurs, unit, samples: samples.map(r1), ...(goal ? { goal } : {}) });
    const startMetric = "process start → sign-in painted (ms)";
    const lines = [
      line("startup", startMetric, whoOurs, true, "ms", ours.map((r) => r.painted), "< 1000 ms"),
      line("startup", startMetric, whoPeer, false, "ms", floor.map((r) => r.painted)),
    ];
    for (const kind of ["rss", "pss"]) {
      const K = kind.toUpperCase();
      const idle = `${K} at sign-in, app + WebKit (MB)`;
      const open = `${K} after sign-in, one patient open (MB)`;
      const peer = floor.map((r) => r.idle[kind]);
      lines.push(
        line("memory", idle, whoOurs, true, "MB", ours.map((r) => r.idle[kind])),
        line("memory", idle, whoPeer, false, "MB", peer),
        line("memory", open, whoOurs, true, "MB", ours.map((r) => r.patient[kind]), kind === "rss" ? "< 150 MB" : null),
        line("memory", open, whoPeer, false, "MB", peer),
      );
    }
    const text = lines.join("\n") + "\n";
    if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, text);
    else process.stdout.write(text);
    const m = (rs, f) => median(rs.map(f)).toFixed(0);
    log(`medians of ${runs} (OS file cache warm; start = new WebDriver session, painted = a frame rendered after it shows):`);
    log(`  ${whoOurs}: sign-in painted ${m(ours, (r) => r.painted)} ms (goal < 1000), RSS ${m(ours, (r) => r.idle.rss)} MB at sign-in, ` +
      `${m(ours, (r) => r.patient.rss)} MB with a patient open (goal < 150); PSS ${m(ours, (r) => r.idle.pss)} / ${m(ours, (r) => r.patient.pss)} MB`);
    log(`  ${whoPeer}: painted ${m(floor, (r) => r.painted)} ms, RSS ${m(floor, (r) => r.idle.rss)} MB, PSS ${m(floor, (r) => r.idle.pss)} MB`);
    log(`  processes (RSS MB), last run: chartdesk ${ours.at(-1).patient.parts}; hello ${floor.at(-1).idle.parts}`);
  } finally {
    stop();
  }
}

main().catch((e) => {
  console.error(`startup: FAILED: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
