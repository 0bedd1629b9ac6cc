// Peak memory of the real window reading a long PDF (issue 10 item 5): signed in as a clinician,
// the window opens a patient's lab list, opens the PDF in the viewer, waits for the first page
// to be drawn, then scrolls the viewer from top to bottom a screen at a time (waiting at each
// step until the pages in view have their canvases and drawing has settled). The summed RSS of
// the app and its WebKit processes is sampled every 50 ms from the click on Open to the end;
// the peak is the figure (summed PSS, read every 250 ms, beside it). The peer is the same window reading a 1-page PDF the same way, in the
// same run. Appends result lines (README.md here); reports, never asserts.
//
// usage: node pdf_memory.mjs --mrn MRN --ours FILE_NAME --peer FILE_NAME [--category lab]
// Both files must already be in that patient's category (bench.sh uploads them). It uses the
// cloud and profile already set up in CHARTDESK_CONFIG_DIR / CHARTDESK_DATA_DIR (bench.sh's),
// not a sandbox of its own. Run under Xvfb; env CHARTDESK_DESKTOP_BIN, BENCH_RUNS (default 1),
// BENCH_RESULTS (else stdout), BENCH_USER / BENCH_PASSWORD (default the demo clinician).
import { appendFileSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { bins, startDriver } from "../../tests/e2e/harness.mjs";
import { Session, sleep } from "../../tests/e2e/webdriver.mjs";
import { findApp } from "./procs.mjs";

const SAMPLE_MS = 50;
const PSS_EVERY = 5;
const log = (...a) => console.error("pdf-memory:", ...a);
const build = (bin) => (bin.includes("/debug/") ? "debug" : "release");
const r1 = (x) => Math.round(x * 10) / 10;

const { values: args } = parseArgs({
  options: {
    mrn: { type: "string" },
    category: { type: "string", default: "lab" },
    ours: { type: "string" },
    peer: { type: "string" },
  },
});
const runs = Number(process.env.BENCH_RUNS ?? 1);
const username = process.env.BENCH_USER ?? "dr.okafor";
// From the sandbox's report (scripts/bench.sh reads it): the demo passwords are written once.
const password = process.env.BENCH_PASSWORD;
if (!password) throw new Error("BENCH_PASSWORD is not set (scripts/bench.sh sets it from the sandbox's report)");


/** `root` and everything under it, from each thread's children list (cheap enough to walk at
 * every sample, so a WebKit process started late is counted too). */
function tree(root) {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${out[i]}/task/${tid}/children`, "utf8").split(" ")) {
          if (child.trim()) out.push(Number(child));
        }
      } catch {
        // Thread gone meanwhile.
      }
    }
  }
  return out;
}

/** The app's process: started by the WebKitWebDriver that our tauri-driver started. */

const field = (text, name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) / 1024;

/** Summed VmRSS (MB) of the app and its descendants (WebKitWebProcess, WebKitNetworkProcess),
 * with its anonymous, file-backed and shared-memory parts (for the log). */
function rss(appPid) {
  const sum = { mb: 0, anon: 0, file: 0, shmem: 0, parts: [] };
  for (const pid of tree(appPid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const one = field(status, "VmRSS");
      sum.mb += one;
      sum.anon += field(status, "RssAnon");
      sum.file += field(status, "RssFile");
      sum.shmem += field(status, "RssShmem");
      sum.parts.push([status.match(/^Name:\s+(.*)$/m)?.[1] ?? "?", one]);
    } catch {
      // Exited while we looked.
    }
  }
  return sum;
}

/** Summed PSS (MB): shared pages (WebKit's libraries, in every process) counted once, split
 * between the processes mapping them. Slower to read than RSS (the kernel walks every mapping). */
function pss(appPid) {
  let mb = 0;
  for (const pid of tree(appPid)) {
    try {
      mb += field(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
    } catch {
      // Exited while we looked.
    }
  }
  return mb;
}

/** Samples rss(appPid) every SAMPLE_MS (and pss every PSS_EVERY-th time) until stopped; keeps
 * the peaks, the RSS peak's parts and when it came, and the last sample. */
function sampler(appPid) {
  let peak = { mb: 0, anon: 0, file: 0, shmem: 0, parts: [] };
  let peakAt = 0;
  let peakPss = 0;
  let samples = 0;
  let latest = null;
  const t0 = performance.now();
  let last = t0;
  let widestGap = 0;
  const take = () => {
    const now = performance.now();
    widestGap = Math.max(widestGap, now - last);
    last = now;
    latest = rss(appPid);
    if (samples % PSS_EVERY === 0) peakPss = Math.max(peakPss, pss(appPid));
    samples++;
    if (latest.mb > peak.mb) (peak = latest), (peakAt = now - t0);
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak, peakAt, peakPss, end: latest, samples, widestGap };
    },
  };
}

// In the page: scrolls #viewer-body down one screen (a synthetic wheel event first, as a
// reader's scrolling makes: it is activity for the idle lock), then waits, checking once a frame,
// until every page box in view holds a canvas and the set of canvases has not changed for
// SETTLE ms (the pages within reach are drawn). Returns where it got to.
const SCROLL_STEP = `
const [settleMs, timeoutMs] = arguments, done = arguments[arguments.length - 1];
const body = document.getElementById("viewer-body");
body.dispatchEvent(new WheelEvent("wheel", { deltaY: body.clientHeight, bubbles: true }));
const max = body.scrollHeight - body.clientHeight;
body.scrollTop = Math.min(max, body.scrollTop + body.clientHeight);
const started = performance.now();
let seen = "", since = started;
const check = () => {
  const lock = document.getElementById("lock-view");
  if (lock && !lock.hidden) return done({ error: "the window locked" });
  const box = body.getBoundingClientRect();
  const holders = [...body.querySelectorAll(".pdf-page")];
  const inView = holders.filter((h) => { const r = h.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
  const canvases = [...body.querySelectorAll("canvas")].map((c) => c.dataset.page).join(",");
  const now = performance.now();
  if (canvases !== seen) { seen = canvases; since = now; }
  const ready = inView.length > 0 && inView.every((h) => h.querySelector("canvas"));
  if ((ready && now - since >= settleMs) || now - started > timeoutMs) {
    return done({ top: body.scrollTop, max, atEnd: body.scrollTop >= max - 1, ready, canvases: seen ? seen.split(",").length : 0,
      status: document.getElementById("viewer-status").textContent });
  }
  requestAnimationFrame(check);
};
requestAnimationFrame(check);`;

async function waitShown(s, css, timeoutMs) {
  await s.waitUntil(async () => (await s.find(css).then((e) => e.displayed(), () => false)) === true, `${css} is shown`, timeoutMs);
}

/** Signs in (or unlocks, if the window starts locked for the remembered user). */
async function signIn(s) {
  let view = null;
  await s.waitUntil(async () => {
    for (const css of ["#signin-view", "#lock-view"]) {
      if (await s.find(css).then((e) => e.displayed(), () => false)) view = css;
    }
    return view !== null;
  }, "the sign-in or lock screen shows", 30000);
  if (view === "#lock-view") {
    await s.fill("#lock-password", password);
    await (await s.find("#lock-submit")).click();
    // The patient view shows behind the lock: wait for the lock itself to open.
    await s.waitUntil(async () => !(await (await s.find("#lock-view")).displayed()), "the lock opens", 30000);
  } else {
    await s.fill("#username", username);
    await s.fill("#password", password);
    await (await s.find("#signin-submit")).click();
  }
  await s.waitFor("#patient-view", 30000);
}

/** Closes the session and waits until the app and all it started have exited. */
async function closeApp(s, appPid) {
  const pids = tree(appPid);
  await s.close();
  const alive = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8").length > 0;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(50);
  for (const pid of pids.filter(alive)) {
    log(`pid ${pid} still running 5 s after the session closed; killing it`);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/** One fresh window: sign in, open the patient's list, open `file`, wait for its first page,
 * then (if `scroll`) scroll to the end. Samples memory from the click on Open. */
async function readPdf(driver, file, scroll) {
  const s = await Session.create(driver.base, bins.desktop, 30000);
  let appPid = null;
  let sampling = null;
  try {
    appPid = findApp(bins.desktop);
    await signIn(s);
    await s.fill("#patient-query", args.mrn);
    await (await s.find("#search-submit")).click();
    await s.waitFor("#patient-record", 30000);
    await (await s.waitFor(`#tiles button[data-category="${args.category}"]`)).click();
    await s.waitFor("#category-view");
    const open = await s.waitFor(`#doc-rows button[aria-label="Open ${file}"]`, 30000);
    await sleep(1000);
    const before = rss(appPid).mb;
    sampling = sampler(appPid);
    const t0 = performance.now();
    await open.click();
    await s.waitFor('#viewer-body canvas[data-page="1"]', 60000);
    await s.waitUntil(async () => (await (await s.find("#viewer-status")).text()) === "", "the first screen is drawn (no busy or error text)", 60000);
    const firstDrawn = performance.now() - t0;
    const label = await (await s.find('#viewer-body canvas[data-page="1"]')).attr("aria-label");
    const pages = Number(/of (\d+)$/.exec(label ?? "")?.[1]);
    if (!pages) throw new Error(`cannot read the page count from the first page's label (${label})`);
    let steps = 0;
    let mostCanvases = 0;
    const t1 = performance.now();
    if (scroll) {
      for (;;) {
        const at = await s.executeAsync(SCROLL_STEP, [150, 10000]);
        steps++;
        if (at.error) throw new Error(`${file}: ${at.error} while scrolling (step ${steps})`);
        if (at.status) throw new Error(`${file}: the viewer says "${at.status}" (step ${steps})`);
        if (!at.ready) log(`${file}: step ${steps}: the pages in view still had no canvas after 10 s`);
        mostCanvases = Math.max(mostCanvases, at.canvases);
        if (at.atEnd) break;
        if (steps > 20 * pages + 10) throw new Error(`${file}: never reached the end of ${pages} pages`);
      }
      // The last pages' drawing, and whatever it leaves behind, inside the window sampled.
      await sleep(500);
    }
    const scrolled = performance.now() - t1;
    const { peak, peakAt, peakPss, end, samples, widestGap } = sampling.stop();
    sampling = null;
    await s.keys("\uE00C"); // Escape closes the viewer
    await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
    // Signed out, the next start shows the sign-in screen (not a locked session).
    await (await s.find("#sign-out")).click();
    await waitShown(s, "#signin-view", 20000);
    return { file, pages, before, peak, peakAt, peakPss, end, samples, widestGap, firstDrawn, scrolled, steps, mostCanvases };
  } finally {
    sampling?.stop();
    if (appPid) await closeApp(s, appPid);
    else await s.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  if (!args.mrn || !args.ours || !args.peer) throw new Error("usage: pdf_memory.mjs --mrn MRN --ours FILE_NAME --peer FILE_NAME [--category lab]");
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, not ${process.env.BENCH_RUNS}`);
  try {
    realpathSync(bins.desktop);
  } catch {
    throw new Error(`desktop binary not found: ${bins.desktop} (build it, or set CHARTDESK_DESKTOP_BIN)`);
  }
  let driver;
  const onSignal = () => (driver?.stop(), process.exit(130));
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  try {
    // The production log level: the harness's default (info, for the e2e log checks) costs time.
    driver = await startDriver({ ...process.env, RUST_LOG: "warn" });
    // One unrecorded open of each first: WebKitWebDriver may not be listening yet, and every
    // recorded run then finds the documents in the window's offline copy alike.
    log("warm-up: each PDF opened once (not recorded)");
    await readPdf(driver, args.ours, false);
    await readPdf(driver, args.peer, false);
    const ours = [];
    const peer = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift on the machine affects both alike.
      for (const [file, into] of [[args.ours, ours], [args.peer, peer]]) {
        const r = await readPdf(driver, file, true);
        into.push(r);
        const parts = r.peak.parts.map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(", ") +
          `; anon ${r.peak.anon.toFixed(0)}, file ${r.peak.file.toFixed(0)}, shmem ${r.peak.shmem.toFixed(0)}`;
        log(`run ${i + 1}/${runs}: ${r.pages} page(s): RSS ${r.before.toFixed(0)} MB before opening, peak ${r.peak.mb.toFixed(0)} MB ` +
          `${(r.peakAt / 1000).toFixed(1)} s after Open (${parts}), ${r.end.mb.toFixed(0)} MB at the end; peak PSS ${r.peakPss.toFixed(0)} MB; first page drawn ${r.firstDrawn.toFixed(0)} ms; scrolled to the end in ${r.steps} steps, ` +
          `${(r.scrolled / 1000).toFixed(1)} s, at most ${r.mostCanvases} canvases held; ${r.samples} samples, widest gap ${r.widestGap.toFixed(0)} ms`);
      }
    }
    const who = (rs) => `chartdesk ${rs[0].pages}-page PDF (${build(bins.desktop)})`;
    const line = (metric, w, isOurs, samples, goal) =>
      JSON.stringify({ row: "peak-memory", metric, who: w, ours: isOurs, unit: "MB", samples: samples.map(r1), ...(goal ? { goal } : {}) });
    // The goal is on what reading the PDF adds to the window: a bare Tauri window is already
    // ~450 MB of summed RSS here (the startup row's hello-world), which no viewer can change.
    // PSS (sampled less often) counts WebKit's shared libraries once.
    const addedMetric = "PDF opened, scrolled to the end: RSS added to the window";
    const rssMetric = "PDF opened, scrolled to the end: peak RSS app+WebKit";
    const pssMetric = "PDF opened, scrolled to the end: peak PSS app+WebKit";
    const text = [
      line(addedMetric, who(ours), true, ours.map((r) => r.peak.mb - r.before), "< 300 MB"),
      line(addedMetric, who(peer), false, peer.map((r) => r.peak.mb - r.before)),
      line(rssMetric, who(ours), true, ours.map((r) => r.peak.mb)),
      line(rssMetric, who(peer), false, peer.map((r) => r.peak.mb)),
      line(pssMetric, who(ours), true, ours.map((r) => r.peakPss)),
      line(pssMetric, who(peer), false, peer.map((r) => r.peakPss)),
    ].join("\n") + "\n";
    if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, text);
    else process.stdout.write(text);
    const m = (rs, f) => median(rs.map(f));
    const [o, p] = [m(ours, (r) => r.peak.mb), m(peer, (r) => r.peak.mb)];
    const added = m(ours, (r) => r.peak.mb - r.before);
    log(`medians of ${runs}: ${who(ours)} peak RSS ${o.toFixed(0)} MB (${added.toFixed(0)} MB added to the window; goal < 300), ${who(peer)} ${p.toFixed(0)} MB, ratio ${(o / p).toFixed(2)}; ` +
      `peak PSS ${m(ours, (r) => r.peakPss).toFixed(0)} vs ${m(peer, (r) => r.peakPss).toFixed(0)} MB`);
  } finally {
    driver?.stop();
  }
}

main().catch((e) => {
  console.error(`pdf-memory: FAILED: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
