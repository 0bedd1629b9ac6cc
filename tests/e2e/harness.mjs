// Starts what the end-to-end tests need: a provisioned local cloud, the records server (which
// also serves the built UI to browsers), tauri-driver for the window and chromedriver for a
// headless Chromium.
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import { appendFileSync, existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "./webdriver.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");

export const bins = {
  cli: process.env.CHARTDESK_BIN ?? path.join(targetDir, "debug/chartdesk"),
  desktop: process.env.CHARTDESK_DESKTOP_BIN ?? path.join(targetDir, "debug/chartdesk-desktop"),
  server: process.env.CHARTDESK_SERVER_BIN ?? path.join(targetDir, "debug/chartdesk-server"),
  moto: process.env.CHARTDESK_MOTO_SERVER ?? path.join(os.homedir(), ".cache/chartdesk/venv/bin/moto_server"),
  tauriDriver: process.env.TAURI_DRIVER ?? path.join(os.homedir(), ".cargo/bin/tauri-driver"),
  // Debian's chromium and chromium-driver (scripts/setup.sh installs them).
  chromium: process.env.CHARTDESK_CHROMIUM ?? "/usr/bin/chromium",
  chromedriver: process.env.CHARTDESK_CHROMEDRIVER ?? "/usr/bin/chromedriver",
};

/** The built UI (`cd ui && npm run build`) the records server serves at `/`. */
export const webRoot = process.env.CHARTDESK_E2E_WEB_ROOT ?? path.join(repoRoot, "ui", "dist");

/**
 * An origin other than the server's own that the server lets call its API (CORS allow-list);
 * any other foreign origin is refused. Same-origin pages (the UI the server serves) are always
 * allowed.
 */
export const allowedForeignOrigin = "http://allowed.example";

/** Screenshots go under the clone's target/ so a person can look at them after a run. */
export const screenshotDir = path.join(repoRoot, "target", "e2e-screenshots");
mkdirSync(screenshotDir, { recursive: true });

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForPort(port, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(150);
  }
  throw new Error(`${what} did not listen on ${port}`);
}

/**
 * A loopback TCP proxy to `targetPort` that a test can cut (connections refused, open ones
 * dropped) and restore: the network going away without losing moto's in-memory state.
 */
export async function startSwitch(targetPort) {
  let up = true;
  // While set, answers arriving from the target are held this long before they reach the app
  // (a slow network for what is in flight now; later answers pass once it is cleared).
  let holdMs = 0;
  const open = new Set();
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(targetPort, "127.0.0.1");
    open.add(client).add(upstream);
    const forget = () => (open.delete(client), open.delete(upstream));
    client.on("close", forget).on("error", () => upstream.destroy());
    upstream.on("close", forget).on("error", () => client.destroy());
    client.pipe(upstream);
    upstream.on("data", (chunk) => {
      if (holdMs === 0) return client.write(chunk);
      upstream.pause();
      setTimeout(() => (client.write(chunk), upstream.resume()), holdMs);
    });
    upstream.on("end", () => client.end());
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    cut() {
      up = false;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    hold(ms) {
      holdMs = ms;
    },
    stop: () => server.close(),
  };
}

/**
 * The sandbox from the one launcher, `chartdesk sandbox up --spawn --json`: moto and the records
 * server (serving the built UI, one foreign origin allowed), provisioned into temp config/data
 * folders; resolves with its JSON line as `report`. `serverEnv` adds server settings (the
 * server inherits the launcher's environment). With `viaSwitch`, the app reaches moto and the
 * server through proxies the test can cut (`sandbox.network`).
 */
export async function startSandbox({ viaSwitch = false, serverEnv = {} } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chartdesk-e2e-"));
  const env = {
    ...process.env,
    CHARTDESK_CONFIG_DIR: path.join(dir, "config"),
    CHARTDESK_DATA_DIR: path.join(dir, "data"),
    CHARTDESK_PROFILE: "sandbox",
  };
  // Scenarios open what they just uploaded; the product's own refusal of unscanned files is
  // proved by the server's tests.
  const args = ["sandbox", "up", "--spawn", "--json", "--moto-bin", bins.moto, "--server-bin", bins.server];
  // --stop-with-parent: a test process that dies before its `after` leaves nothing running.
  args.push("--web-root", webRoot, "--log-dir", logDir, "--stop-with-parent");
  const launcher = spawn(bins.cli, args, {
    stdio: ["ignore", "pipe", openSync(path.join(logDir, "launcher.log"), "a")],
    env: {
      ...env,
      RUST_LOG: debugOurCrates,
      // The browser version: one foreign origin allowed to call the API.
      CHARTDESK_ALLOWED_ORIGINS: allowedForeignOrigin,
      ...serverEnv,
    },
  });
  const exited = new Promise((resolve) => launcher.once("exit", resolve));
  const stopLauncher = async () => {
    if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill("SIGTERM");
    await exited;
  };
  let network = null;
  let serverSwitch = null;
  let report;
  try {
    report = await new Promise((resolve, reject) => {
      let seen = "";
      launcher.stdout.on("data", (chunk) => {
        seen += chunk;
        const end = seen.indexOf("\n");
        if (end >= 0) resolve(JSON.parse(seen.slice(0, end)));
      });
      exited.then((code) => reject(new Error(`the sandbox launcher exited (${code}); see ${logDir}`)));
    });
    if (viaSwitch) {
      network = await startSwitch(Number(new URL(report.endpoint).port));
      serverSwitch = await startSwitch(Number(new URL(report.server_url).port));
      // The saved profile points through the proxies (provisioning again is a no-op otherwise).
      const endpoint = `http://127.0.0.1:${network.port}`;
      const serverUrl = `http://127.0.0.1:${serverSwitch.port}`;
      await promisify(execFile)(bins.cli, ["sandbox", "up", "--endpoint", endpoint, "--server", serverUrl], { env });
    }
  } catch (e) {
    // Otherwise a live launcher keeps the test process (and CI) waiting.
    network?.stop();
    serverSwitch?.stop();
    await stopLauncher();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // Offline means neither the bucket nor the records server answers.
  const both = network && {
    cut: () => (network.cut(), serverSwitch.cut()),
    restore: () => (network.restore(), serverSwitch.restore()),
    /** Holds the records server's answers in flight for `ms` (0: no longer). */
    holdServer: (ms) => serverSwitch.hold(ms),
    stop: () => (network.stop(), serverSwitch.stop()),
  };
  return {
    endpoint: network ? `http://127.0.0.1:${network.port}` : report.endpoint,
    env,
    report,
    /** What the tests added that identifies a patient or a document (seedPatient, file names
     * dropped): checked against the logs beside the report's `seeded_identifiers`. */
    seeded: [],
    /** The records server itself (not through the switch): where a browser loads the UI. */
    serverUrl: report.server_url,
    network: both,
    /** Stops the launcher, which stops everything it started, then removes the sandbox's
     * profile and caches; resolves once it has. */
    stop: async () => {
      both?.stop();
      await stopLauncher();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seeded = 0;

/**
 * A patient of the caller's own in `sandbox` ("Seeded Testpatient", found by `MRN …` only, no
 * NHS lookup), one PDF per category in `categories`, written by `chartdesk sandbox seed-patient`
 * (the same Rust code as the test kit's). A scenario that changes documents seeds one so it can
 * run alone, whatever ran before. Resolves with `{mrn, nhs_number, given_name, family_name}`.
 */
export async function seedPatient(sandbox, { categories = [] } = {}) {
  seeded += 1;
  // Eight digits (the default MRN pattern takes 6–12), unique in this test process's sandbox.
  const mrn = `6${String(process.pid % 1000).padStart(3, "0")}${String(seeded).padStart(4, "0")}`;
  const args = ["sandbox", "seed-patient", "--mrn", mrn, "--json", ...categories.flatMap((c) => ["--category", c])];
  const { stdout } = await promisify(execFile)(bins.cli, args, { env: sandbox.env, encoding: "utf8" });
  const patient = JSON.parse(stdout);
  const nhs = patient.nhs_number;
  sandbox.seeded.push(patient.mrn, nhs, `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`);
  sandbox.seeded.push(patient.given_name, patient.family_name, ...categories.map((c) => `${c}-seeded.pdf`));
  return patient;
}

/** The launcher's logs for this test process: `server.log` (the records server's stderr),
 * `moto.log`, `launcher.log`. */
const logDir = path.join(os.tmpdir(), `chartdesk-e2e-logs-${process.pid}`);
mkdirSync(logDir, { recursive: true });
// Kept when a test failed (the failure names this folder); removed when all passed.
process.on("exit", (code) => {
  if (code === 0) rmSync(logDir, { recursive: true, force: true });
});
export const serverLogFile = path.join(logDir, "server.log");
export function serverLog() {
  try {
    return readFileSync(serverLogFile, "utf8");
  } catch {
    return "";
  }
}

/** Our own crates at debug level (the dependencies' request dumps are not ours to judge): the
 * level at which a careless `debug!` would name a patient. */
export const debugOurCrates =
  "info,chartdesk=debug,chartdesk_desktop=debug,chartdesk_server=debug,chartdesk_records=debug,chartdesk_signin=debug,chartdesk_domain=debug,chartdesk_api=debug";

/** Fails naming the first seeded identifier (name, NHS number, MRN, file name: the sandbox's own
 * list, `seeded_identifiers` in its report, and what the tests seeded, `sandbox.seeded`) that
 * `log` contains. */
export function assertNoSeededIdentifier(assert, log, sandbox, what) {
  assert.ok(log.includes("DEBUG") || log.includes("INFO"), `${what} was captured`);
  assert.ok(sandbox.report.seeded_identifiers.length > 50, "the sandbox listed what it seeded");
  const identifiers = [...new Set([...sandbox.report.seeded_identifiers, ...sandbox.seeded])];
  for (const [i, id] of identifiers.entries()) {
    // Whole tokens only: MRN 10000001 must not match inside a longer number.
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`(^|[^0-9A-Za-z])${escaped}($|[^0-9A-Za-z])`);
    assert.ok(!pattern.test(log), `${what} names seeded identifier #${i} of ${identifiers.length}`);
  }
}

/** The app's log file for this test process (CHARTDESK_LOG_FILE). */
export const appLogFile = path.join(logDir, "app.log");
export function appLog() {
  try {
    return readFileSync(appLogFile, "utf8");
  } catch {
    return "";
  }
}

/** tauri-driver, which launches the app through WebKitWebDriver with `env`. */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  // The app logs our crates at debug here (the default is warn), so the check that no patient
  // data reaches its log reads everything our code could say.
  const driver = spawn(bins.tauriDriver, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { RUST_LOG: debugOurCrates, CHARTDESK_LOG_FILE: appLogFile, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  await waitForPort(port, "tauri-driver");
  return { base: `http://127.0.0.1:${port}`, stop: () => killGroup(driver) };
}

/** chromedriver on a free port; resolves once its `/status` says it is ready. */
export async function startChromedriver() {
  const port = await freePort();
  const driver = spawn(bins.chromedriver, [`--port=${port}`], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    const ready = await fetch(`${base}/status`).then(
      (r) => r.json().then((j) => j.value?.ready === true),
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      killGroup(driver);
      throw new Error(`chromedriver did not become ready on ${port}`);
    }
    await sleep(100);
  }
  return { base, stop: () => killGroup(driver) };
}

/**
 * Capabilities for a headless Chromium with a fresh profile folder (`cleanup` removes it).
 * Without the background-networking flags Chromium's own connections (updates, sync, field
 * trials) fail on a closed machine and can hold up the page.
 */
export function chromeCapabilities() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "chartdesk-e2e-chromium-"));
  // Downloads (the export ZIP) land here, without a prompt.
  const downloadDir = mkdtempSync(path.join(os.tmpdir(), "chartdesk-e2e-downloads-"));
  return {
    downloadDir,
    capabilities: {
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: bins.chromium,
        args: [
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${userDataDir}`,
          "--window-size=1280,1024",
        ],
        prefs: { "download.default_directory": downloadDir, "download.prompt_for_download": false },
      },
    },
    cleanup: () => {
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(downloadDir, { recursive: true, force: true });
    },
  };
}

/** Fails early, with what to run, when the UI the server should serve was never built. */
export function assertUiBuilt() {
  if (!existsSync(path.join(webRoot, "index.html"))) {
    throw new Error(`no built UI in ${webRoot}: run \`cd ui && npm run build\` first`);
  }
}

/**
 * Timings for the closing note, one JSON line each (`{platform, metric, ms}`), appended to
 * target/e2e-timings.jsonl. Figures only: no test asserts on them.
 */
export const timingsFile = path.join(repoRoot, "target", "e2e-timings.jsonl");
export function recordTiming(platform, metric, ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return;
  const line = { platform, metric, ms: Math.round(ms * 10) / 10 };
  appendFileSync(timingsFile, `${JSON.stringify(line)}\n`);
  console.log(`timing: ${platform} ${metric} ${line.ms} ms`);
}

/**
 * Stops a child and everything it started (WebKitWebDriver, the app): they share its process
 * group, and a leftover holding our stdout would keep CI's pipe open.
 */
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}
