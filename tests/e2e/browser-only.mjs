// What only the browser must show (see browser.test.mjs): no token kept anywhere in the page,
// the security headers, the CORS allow-list, export as a download, the offline note. Scenarios
// like the shared ones: each starts on a freshly loaded sign-in page (registerScenarios).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { allowedForeignOrigin, freePort } from "./harness.mjs";
import { openDemoPatient, openLab } from "./steps.mjs";
import { checkA11y } from "./axe.mjs";

/** Everything the page could keep between visits, read in the page itself. */
async function pageStorage(s) {
  return s.executeAsync(
    `const done = arguments[arguments.length - 1];
     (async () => ({
       local: localStorage.length,
       session: sessionStorage.length,
       cookie: document.cookie,
       indexedDb: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
       cacheStorage: typeof caches === "undefined" ? [] : await caches.keys(),
       serviceWorkers: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0,
     }))().then(done, (e) => done({ error: String(e) }));`,
  );
}

async function assertNothingKept(s, when) {
  const kept = await pageStorage(s);
  assert.deepEqual(
    kept,
    { local: 0, session: 0, cookie: "", indexedDb: [], cacheStorage: [], serviceWorkers: 0 },
    `nothing kept in the page ${when}`,
  );
  // A cookie the page cannot read is allowed only as HttpOnly + SameSite=Strict (a session kept
  // across a reload); WebDriver sees those too.
  for (const c of await s.cmd("GET", "/cookie")) {
    assert.ok(c.httpOnly && c.sameSite === "Strict", `cookie ${c.name} is HttpOnly and SameSite=Strict ${when}`);
  }
}

/** The directives of a CSP header, each a list of its sources. */
function cspDirectives(csp) {
  return Object.fromEntries(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}






// Last in this file: it reads the server's log of every scenario above.

export const browserOnlyScenarios = [
  {
    id: "nothing-kept",
    name: "signed in with a patient and a document open, the page keeps no token or record: no storage, cookies, IndexedDB or caches",
    async run(ctx) {
      const s = ctx.s;
      await assertNothingKept(s, "before sign-in");
      await openDemoPatient(ctx);
      await openLab(s);
      await (await s.find("#doc-rows tr:first-child button")).click();
      await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
      await assertNothingKept(s, "with a patient and a document open");
      await s.keys("\uE00C");
    },
  },
  {
    id: "export-zip",
    name: "Export all listed downloads one ZIP named by MRN from the bucket, and the patient stays on screen",
    async run(ctx) {
      const s = ctx.s;
      // The demo patient's lab list (2 documents) is what is listed.
      await openDemoPatient(ctx);
      await openLab(s);
      const mrn = await (await s.find("#banner-mrn")).text();
      await (await s.find("#export-all")).click();
      await s.waitUntil(
        async () =>
          /^Downloading 2 documents \(.+\) as chartdesk-export-\d+\.zip: see your browser's downloads$/.test(
            await (await s.find("#export-status")).text(),
          ),
        "the export says its download has started",
        30000,
      );
      const file = path.join(ctx.chrome.downloadDir, `chartdesk-export-${mrn.replace(/\D/g, "")}.zip`);
      await s.waitUntil(async () => existsSync(file), `the browser saved ${path.basename(file)}`, 30000);
      const zip = readFileSync(file);
      assert.deepEqual([...zip.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], "a ZIP");
      assert.ok(zip.includes(Buffer.from("manifest.csv")), "with its manifest");
      assert.equal(await (await s.find("#banner-nhs")).text(), "943 476 5919", "the same patient on screen");
      await ctx.shot("14b-export-downloaded");
      await checkA11y(ctx, "export started");
    },
  },
  {
    id: "offline-note",
    name: "the browser says offline viewing needs the desktop app and hides what only the window can do",
    async run(ctx) {
      const s = ctx.s;
      await openDemoPatient(ctx);
      const note = await s.waitFor("#browser-offline-note");
      assert.match(await note.text(), /Offline viewing needs the Chartdesk desktop app/);
      assert.equal(await (await s.find("#pin-patient")).displayed(), false, "no 'Keep this patient offline'");
      assert.equal(await (await s.find("#clear-offline")).displayed(), false, "no 'Clear offline data'");
      await ctx.shot("15-offline-note");
      await checkA11y(ctx, "patient screen with the offline note");
      await (await s.find("#sign-out")).click();
      await s.waitFor("#signin-view");
      await assertNothingKept(s, "after sign-out");
      assert.equal(await (await s.find("#patient-banner")).text(), "");
    },
  },
  {
    id: "csp",
    name: "the UI at / comes with a strict CSP: scripts from the server only, nothing inline, never framed",
    async run(ctx) {
      const res = await fetch(`${ctx.sandbox.serverUrl}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const html = await res.text();
      assert.ok(html.includes('id="signin-view"'), "it is the Chartdesk UI");
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "no inline script in the page");
      const csp = res.headers.get("content-security-policy");
      assert.ok(csp, "a Content-Security-Policy header");
      const d = cspDirectives(csp);
      assert.deepEqual(d["frame-ancestors"], ["'none'"], `frame-ancestors 'none' (${csp})`);
      const scripts = d["script-src"] ?? d["default-src"];
      assert.ok(scripts, `script-src or default-src (${csp})`);
      for (const source of scripts) {
        assert.ok(
          ["'self'", "'strict-dynamic'"].includes(source) || /^'(nonce|sha256|sha384|sha512)-/.test(source),
          `script-src allows only the server's own scripts, not ${source} (${csp})`,
        );
      }
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      // Plain HTTP here: HSTS only when the server is behind TLS.
      assert.equal(res.headers.get("strict-transport-security"), null, "no HSTS over plain HTTP");
    },
  },
  {
    id: "hsts",
    name: "behind TLS (X-Forwarded-Proto: https) every answer carries HSTS",
    async run(ctx) {
      const res = await fetch(`${ctx.sandbox.serverUrl}/v1/health`, { headers: { "x-forwarded-proto": "https" } });
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d{7,}/);
    },
  },
  {
    id: "no-store",
    name: "API answers are never cached: Cache-Control no-store, on success and on refusal",
    async run(ctx) {
      const health = await fetch(`${ctx.sandbox.serverUrl}/v1/health`);
      assert.equal(health.status, 200);
      assert.match(health.headers.get("cache-control") ?? "", /no-store/);
      const refused = await fetch(`${ctx.sandbox.serverUrl}/v1/patients?q=x`);
      assert.equal(refused.status, 401);
      assert.equal((await refused.json()).code, "unauthenticated");
      assert.match(refused.headers.get("cache-control") ?? "", /no-store/);
    },
  },
  {
    id: "cors-preflight",
    name: "CORS: a preflight from another origin is refused; the allowed origin is echoed",
    async run(ctx) {
      const preflight = (origin) =>
        fetch(`${ctx.sandbox.serverUrl}/v1/patients`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
        });
      const evil = await preflight("http://evil.example");
      assert.equal(evil.headers.get("access-control-allow-origin"), null, "no allow-origin for another origin");
      assert.ok(evil.status >= 400, `the preflight is refused (${evil.status})`);

      const allowed = await preflight(allowedForeignOrigin);
      assert.ok(allowed.ok, `the allowed origin's preflight passes (${allowed.status})`);
      assert.equal(allowed.headers.get("access-control-allow-origin"), allowedForeignOrigin);
      assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /GET/);

      // Refused by the server itself, not only by a browser honouring CORS.
      const direct = await fetch(`${ctx.sandbox.serverUrl}/v1/health`, { headers: { origin: "http://evil.example" } });
      assert.equal(direct.status, 403);
      assert.equal(direct.headers.get("access-control-allow-origin"), null);
    },
  },
  {
    id: "foreign-page",
    name: "a page from another origin cannot call the API from the browser",
    async run(ctx) {
      const port = await freePort();
      const page = http.createServer((_, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><title>elsewhere</title><p>another site</p>");
      });
      await new Promise((resolve) => page.listen(port, "127.0.0.1", resolve));
      try {
        const s = ctx.s;
        await s.navigate(`http://127.0.0.1:${port}/`);
        const outcome = await s.executeAsync(
          `const [url, done] = arguments;
           fetch(url + "/v1/health").then((r) => done("answered " + r.status), (e) => done("refused: " + e.name));`,
          [ctx.sandbox.serverUrl],
        );
        assert.match(outcome, /^refused/, `the cross-origin call is refused (${outcome})`);
      } finally {
        page.close();
      }
    },
  },
];
