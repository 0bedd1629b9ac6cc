// The end-to-end scenarios the desktop window and the browser share, so the two cannot drift:
// desktop.test.mjs and browser.test.mjs register this one list, in this order, with node:test.
// Each scenario takes a context `{ s, sandbox, shot, platform, openedAt }`: `s` the WebDriver
// session (read it afresh: a desktop test may restart the app), `sandbox` from startSandbox(),
// `shot(name)` saves a screenshot, `platform` "desktop" or "browser", `openedAt` the
// Date.now() at which the app was launched or the page navigated to.
//
// They run in order against one sandbox and follow on from each other (the access history
// lists the break-glass opened earlier; the sign-in scenarios start on the sign-in screen).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { recordTiming } from "./harness.mjs";
import { freshTotp, totpAt } from "./totp.mjs";
import { dropJpeg, dropTiff } from "./drop.mjs";
import { checkA11y } from "./axe.mjs";
import { keyboardScenario } from "./keyboard.mjs";
import { zoomScenario } from "./zoom.mjs";

export const NHS_BLUE = "rgb(0, 94, 184)";

/** Computed colours as `rgb(r, g, b)` whichever form the driver answers in. */
const rgb = (c) => String(c).replace(/^rgba\((\d+), (\d+), (\d+), 1\)$/, "rgb($1, $2, $3)");

const user = (ctx, name) => ctx.sandbox.report.users.find((u) => u.username === name);

/** Types into the sign-in form and submits it. */
export async function submitSignIn(s, username, password) {
  await s.fill("#username", username);
  await s.fill("#password", password);
  await (await s.find("#signin-submit")).click();
}

async function signOut(s) {
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
}

/**
 * Times, in the page, from a user's action (an event on `trigger.css`, optionally one key) to
 * `until.count` elements matching `until.css` being displayed. No eval (the browser's CSP
 * forbids it): the condition is data. Read it with `readTimer`.
 */
async function armTimer(s, name, trigger, until) {
  await s.execute(
    `const [name, trigger, until] = arguments;
     const timers = (window.__e2eTimers = window.__e2eTimers || {});
     const rec = (timers[name] = { start: null, end: null });
     const shown = (el) => !el.closest("[hidden]") && el.getClientRects().length > 0;
     const met = () => [...document.querySelectorAll(until.css)].filter(shown).length === (until.count || 1);
     let observer = null;
     let tick = null;
     const stop = () => { if (observer) observer.disconnect(); clearInterval(tick); };
     const check = () => {
       if (rec.start === null || rec.end !== null) return;
       if (met()) { rec.end = performance.now(); stop(); }
     };
     document.addEventListener(trigger.event, (e) => {
       if (rec.start !== null) return;
       if (trigger.key && e.key !== trigger.key) return;
       if (!(e.target instanceof Element) || !e.target.closest(trigger.css)) return;
       rec.start = performance.now();
       observer = new MutationObserver(check);
       observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
       tick = setInterval(check, 10);
       setTimeout(stop, 120000);
     }, true);`,
    [name, trigger, until],
  );
}

async function readTimer(s, name) {
  let rec;
  await s.waitUntil(async () => {
    rec = await s.execute("return (window.__e2eTimers || {})[arguments[0]] || null;", [name]);
    return rec && rec.start !== null && rec.end !== null;
  }, `the ${name} timer stops`);
  return rec.end - rec.start;
}

export const scenarios = [
  {
    id: "sign-in-screen",
    name: "the app opens on the sign-in screen",
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
      const clinician = user(ctx, "dr.okafor");
      await s.fill("#username", clinician.username);
      await s.fill("#password", clinician.password);
      await armTimer(s, "signin", { event: "click", css: "#signin-submit" }, { css: "#patient-view" });
      await (await s.find("#signin-submit")).click();
      await s.waitFor("#patient-view");
      ctx.signinMs = await readTimer(s, "signin");
      recordTiming(ctx.platform, "signin_submit_to_search_shown_ms", ctx.signinMs);
      assert.equal(await (await s.find("#user-roles")).text(), "Clinician");
      const active = await s.activeElement();
      assert.equal(await active.attr("id"), "patient-query");
      await checkA11y(ctx, "patient search");
    },
  },
  {
    id: "invalid-nhs-number",
    name: "an invalid NHS number gets the message staff know",
    async run(ctx) {
      const { s } = ctx;
      await s.fill("#patient-query", "943 476 5918");
      await (await s.find("#search-submit")).click();
      const error = await s.waitFor("#search-error");
      assert.equal(await error.text(), "Invalid NHS number");
      assert.equal(await (await s.find("#patient-query")).attr("aria-invalid"), "true");
      await checkA11y(ctx, "patient search, invalid NHS number");
    },
  },
  {
    id: "banner-and-tiles",
    name: "typing an NHS number and pressing Enter shows the banner and seven tiles, blue where documents exist",
    async run(ctx) {
      const { s } = ctx;
      const box = await s.fill("#patient-query", "943 476 5919");
      await armTimer(
        s,
        "tiles",
        { event: "keydown", css: "#patient-query", key: "Enter" },
        { css: "#patient-record #tiles button.tile", count: 7 },
      );
      await box.type("\uE007"); // Enter: the search works from the keyboard.
      await s.waitFor("#patient-record");
      const tilesMs = await readTimer(s, "tiles");
      recordTiming(ctx.platform, "search_enter_to_tiles_shown_ms", tilesMs);
      if (ctx.signinMs !== undefined) {
        recordTiming(ctx.platform, "signin_plus_search_to_tiles_ms", ctx.signinMs + tilesMs);
      }
      assert.equal(await (await s.find("#banner-name")).text(), "WHITFIELD, Amara");
      assert.equal(await (await s.find("#banner-nhs")).text(), "943 476 5919");
      assert.equal(await (await s.find("#banner-mrn")).text(), "10000001");
      // The NHS banner pattern: born with age, gender, NHS number, MRN, postcode.
      assert.match(await (await s.find("#banner-dob")).text(), /^14-Mar-1958 \(\d+y\)$/);
      assert.ok((await (await s.find("#banner-gender")).text()).length > 0, "gender shown");
      assert.equal(await (await s.find("#banner-postcode")).text(), "LS1 4AP");

      const tiles = await s.findAll("#tiles button.tile");
      const seen = [];
      for (const t of tiles) {
        seen.push({
          category: await t.attr("data-category"),
          count: await t.attr("data-count"),
          name: await t.attr("aria-label"),
          shown: (await t.text()).replace(/\s+/g, ""),
          description: await s.execute(
            `const tile = document.querySelector('#tiles button[data-category="' + arguments[0] + '"]');
             return document.getElementById(tile.getAttribute("aria-describedby")).textContent;`,
            [await t.attr("data-category")],
          ),
          background: rgb(await t.css("background-color")),
          tag: await t.tag(),
        });
      }
      assert.deepEqual(
        seen.map((t) => [t.category, t.count]),
        [["preop", "3"], ["lab", "2"], ["radiology", "1"], ["intraop", "0"], ["ot_notes", "0"], ["postop", "0"], ["discharge", "1"]],
      );
      for (const t of seen) {
        assert.equal(t.tag.toLowerCase(), "button", "tiles are keyboard-focusable buttons");
        if (t.count === "0") assert.notEqual(t.background, NHS_BLUE, `${t.category} is grey when empty`);
        else assert.equal(t.background, NHS_BLUE, `${t.category} is blue when it holds documents`);
      }
      // Named by what they show (voice control: "click Lab"), described by the core's sentence.
      assert.equal(seen[1].name, "Lab 2 0 of 2 verified");
      for (const t of seen) assert.equal(t.name.replace(/\s+/g, ""), t.shown, `${t.category}'s name is the words it shows`);
      assert.equal(seen[1].description, "Lab, 2 documents, 0 of 2 verified");
      assert.equal(seen[3].description, "Intraop, 0 documents");
      const greys = new Set(seen.filter((t) => t.count === "0").map((t) => t.background));
      assert.equal(greys.size, 1, "every empty tile has the same grey");
      await ctx.shot("02-patient-tiles");
      await checkA11y(ctx, "patient screen (banner and tiles)");
    },
  },
  {
    id: "list-and-viewer",
    name: "a tile opens its document list; a PDF renders in the viewer and arrow keys move between documents",
    async run(ctx) {
      const { s } = ctx;
      await (await s.find('#tiles button[data-category="lab"]')).click();
      await s.waitFor("#category-view");
      assert.equal(await (await s.find("#category-title")).text(), "Lab (2)");
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "both lab reports listed");
      await checkA11y(ctx, "lab list");
      await (await s.find("#doc-rows tr:first-child button")).click();
      await s.waitFor("#viewer");
      await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
      assert.match(await (await s.find("#viewer-title")).text(), /\(1 of 2\)$/);
      // The page is drawn and its text read without an error (pdf.js in the webview or browser).
      await s.waitUntil(async () => (await (await s.find("#viewer-status")).text()) === "", "no error or busy text over the page");
      // Ctrl+F puts the caret in the find box; a word the demo report shows is found and marked.
      await s.execute('document.getElementById("viewer-body").focus();');
      await s.keys("\uE009f\uE009"); // Ctrl down, f, Ctrl up
      await s.waitUntil(async () => (await (await s.activeElement()).attr("id")) === "viewer-find-text", "Ctrl+F focuses find");
      await s.fill("#viewer-find-text", "demo");
      await s.waitUntil(async () => /^1 of \d+ \(page 1\)$/.test(await (await s.find("#viewer-find-count")).text()), "find reports the match");
      assert.ok((await s.findAll("#viewer-body .find-hit")).length >= 1, "the match is highlighted");
      await ctx.shot("08-pdf-viewer");
      await checkA11y(ctx, "PDF viewer, find in document");
      await s.execute('document.getElementById("viewer-body").focus();');
      await s.keys("\uE014"); // ArrowRight
      await s.waitUntil(async () => /\(2 of 2\)$/.test(await (await s.find("#viewer-title")).text()), "the next document opens");
      await s.keys("\uE00C"); // Escape
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");

      await (await s.find('#tiles button[data-category="preop"]')).click();
      await s.waitUntil(async () => (await (await s.find("#category-title")).text()) === "Preop (3)", "preop listed");
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 3, "preop rows loaded");
      await (await s.find("#doc-rows tr:first-child button")).click();
      const img = await s.waitFor("#viewer-image");
      await s.keys("+");
      await s.waitUntil(async () => (await img.attr("data-zoom")) === "1.25", "zoomed in");
      await ctx.shot("09-image-viewer");
      await checkA11y(ctx, "image viewer");
      await s.keys("\uE00C");
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
    },
  },
  {
    id: "verify-lab-report",
    name: "a clinician verifies a lab report and the tile shows how many are verified",
    async run(ctx) {
      const { s } = ctx;
      await (await s.find('#tiles button[data-category="lab"]')).click();
      await s.waitUntil(async () => (await (await s.find("#category-title")).text()) === "Lab (2)", "lab listed");
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "lab rows loaded");
      const verify = await s.find("#doc-rows tr:first-child .stamp-button");
      assert.equal(await verify.text(), "Verify");
      await verify.click();
      await s.waitUntil(
        async () => (await (await s.find('#tiles button[data-category="lab"] .tile-badge')).text()) === "1 of 2 verified",
        "the lab tile counts the stamp",
      );
      assert.equal(await (await s.find("#doc-rows tr:first-child td.stamp-cell")).text(), "verified by dr.okafor");
      await ctx.shot("10-lab-verified");
      await checkA11y(ctx, "lab list, report verified");
    },
  },
  {
    id: "break-glass",
    name: "a restricted record asks why it is opened (break-glass), then shows its flag in the banner",
    async run(ctx) {
      const { s } = ctx;
      await s.fill("#patient-query", "999 186 0916");
      await (await s.find("#search-submit")).click();
      await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
      await ctx.shot("03a-break-glass");
      await checkA11y(ctx, "break-glass dialog");
      // "Other" without words is refused in the prompt itself.
      await (await s.find("#bg-other")).click();
      await (await s.find("#break-glass-open")).click();
      await s.waitUntil(async () => (await (await s.find("#break-glass-error")).text()).includes("Say why"), "other needs words");
      await checkA11y(ctx, "break-glass dialog, reason refused");
      await (await s.find("#bg-clinical_emergency")).click();
      await s.fill("#break-glass-detail", "arrest call, ward 7");
      await (await s.find("#break-glass-open")).click();
      await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === "999 186 0916", "banner shows the new patient");
      const flag = await s.waitFor(".flag-restricted");
      assert.equal(await flag.text(), "Restricted record");
      await ctx.shot("03-restricted");
      await checkA11y(ctx, "restricted record");
    },
  },
  {
    id: "tiff-scan",
    name: "a TIFF scan opens from its optimized JPEG without an error; View original shows the original or says why it cannot",
    async run(ctx) {
      const { s, platform } = ctx;
      await s.fill("#patient-query", "MRN 10000009");
      await (await s.find("#search-submit")).click();
      await s.waitUntil(async () => (await (await s.find("#banner-mrn")).text()).includes("10000009"), "banner shows the patient");
      await (await s.find('#tiles button[data-category="radiology"]')).click();
      await s.waitUntil(async () => (await (await s.find("#category-title")).text()) === "Radiology (1)", "radiology listed");
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the scan is listed");
      await (await s.find('#doc-rows button[aria-label="Open radiology-scan-1.tif"]')).click();
      const width = () => s.execute('const i = document.getElementById("viewer-image"); return i && i.complete ? i.naturalWidth : 0;');
      await s.waitUntil(async () => (await width()) === 1600, "the 1600 px optimized image is drawn", 30000);
      assert.equal(await (await s.find("#viewer-status")).text(), "", "no error over the image");
      assert.equal(await (await s.find("#viewer-rendition")).text(), "Optimized image, 1600 px");
      assert.equal(await (await s.find("#viewer-original")).text(), "View original");
      await ctx.shot("09b-tiff-optimized");

      await (await s.find("#viewer-original")).click();
      let shown = "";
      await s.waitUntil(async () => {
        const status = await (await s.find("#viewer-status")).text();
        if ((await width()) === 1700) shown = "original";
        else if (/cannot display the original TIFF file; the optimized image is shown/.test(status) && (await width()) === 1600)
          shown = "optimized, with the reason";
        return shown !== "";
      }, "the original is drawn, or the optimized image stays with the reason", 30000);
      // WebKitGTK and Chromium have no TIFF decoder; WKWebView (macOS) draws the original.
      console.log(`  ${platform}: View original of a TIFF shows the ${shown}`);
      await ctx.shot("09c-tiff-original");
      await checkA11y(ctx, "image viewer, original TIFF");
      await s.keys("\uE00C");
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
    },
  },
  {
    id: "sign-out",
    name: "signing out returns to the sign-in screen and clears the patient",
    async run(ctx) {
      const { s } = ctx;
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
  {
    id: "drop-upload-preop-full",
    name: "ward staff drop a JPEG on a grey tile: it turns blue with count 1; a 4th preop image offers replace-oldest",
    async run(ctx) {
      const { s } = ctx;
      const nurse = user(ctx, "nurse.hughes");
      await submitSignIn(s, nurse.username, nurse.password);
      await s.fill("#patient-query", "943 476 5919");
      await (await s.find("#search-submit")).click();
      await s.waitFor("#patient-record");
      await dropJpeg(s, "intraop", "theatre-photo.jpg");
      await s.waitUntil(
        async () => (await (await s.find('#tiles button[data-category="intraop"]')).attr("data-count")) === "1",
        "the intraop tile counts the new document",
      );
      await s.waitUntil(
        async () => rgb(await (await s.find('#tiles button[data-category="intraop"]')).css("background-color")) === NHS_BLUE,
        "the intraop tile turns blue",
      );
      await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "the upload reports Added");

      await dropJpeg(s, "preop", "fourth.jpg");
      const replace = await s.waitFor("#upload-list li button.replace-oldest");
      assert.match(await (await s.find("#upload-list li span.refused")).text(), /Preop already holds 3 images/);
      await ctx.shot("11-preop-full");
      await checkA11y(ctx, "upload list, preop full (replace oldest)");
      await replace.click();
      await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "replaced the oldest");
      // Tiles are re-rendered as the record refreshes: read them afresh until settled.
      await s.waitUntil(
        async () => (await (await s.find('#tiles button[data-category="preop"]')).attr("data-count")) === "3",
        "preop still holds 3 images",
      );
      await signOut(s);

      // Nothing disappears silently: a clinician finds the replaced image under the list, marked,
      // and it still opens.
      const clinician = user(ctx, "dr.okafor");
      await submitSignIn(s, clinician.username, clinician.password);
      await s.fill("#patient-query", "943 476 5919");
      await (await s.find("#search-submit")).click();
      await s.waitFor("#patient-record");
      await (await s.find('#tiles button[data-category="preop"]')).click();
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 3, "preop rows loaded");
      await s.waitUntil(async () => await (await s.find("#doc-history")).displayed(), "the history section shows");
      assert.match(await (await s.find("#doc-history-title")).text(), /^Replaced and detached \(\d+\)$/);
      await (await s.find("#doc-history-title")).click();
      const replaced = await s.waitFor('#doc-history-rows li[data-status="replaced"] button');
      await ctx.shot("11b-preop-history");
      await checkA11y(ctx, "preop list with replaced and detached history");
      await replaced.click();
      await s.waitFor("#viewer-image");
      await s.keys("\uE00C");
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
      await signOut(s);
    },
  },
  {
    id: "admin-upload-open-stamp",
    name: "a records admin uploads a JPEG into radiology with progress shown, then opens it (and is offered no clinical stamp)",
    async run(ctx) {
      const { s } = ctx;
      const admin = user(ctx, "admin.byrne");
      await submitSignIn(s, admin.username, admin.password);
      await s.fill("#patient-query", "999 628 1949");
      await (await s.find("#search-submit")).click();
      await s.waitFor("#patient-record");
      const radiology = '#tiles button[data-category="radiology"]';
      assert.equal(await (await s.find(radiology)).attr("data-count"), "0");
      // Record every progress value the app shows while the file goes up.
      await s.execute(
        `window.__progressSeen = [];
         new MutationObserver(() => {
           for (const p of document.querySelectorAll("#upload-list progress[aria-valuetext]"))
             window.__progressSeen.push(p.getAttribute("aria-valuetext"));
         }).observe(document.getElementById("upload-list"), { subtree: true, attributes: true, childList: true });`,
      );
      await dropJpeg(s, "radiology", "chest-xray.jpg");
      // While it goes up (progress bar and Cancel), or just after if it is that quick.
      await checkA11y(ctx, "upload in progress");
      await s.waitUntil(async () => (await (await s.find(radiology)).attr("data-count")) === "1", "radiology counts 1");
      await s.waitUntil(async () => rgb(await (await s.find(radiology)).css("background-color")) === NHS_BLUE, "radiology turns blue");
      const seen = await s.execute("return window.__progressSeen;");
      assert.ok(seen.includes("100%"), `progress reached 100% (saw ${seen.join(", ")})`);

      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the new document is listed");
      await s.waitUntil(
        async () => ((await (await s.find("#doc-rows td.thumb img")).attr("src")) ?? "").startsWith("blob:"),
        "its thumbnail shows",
      );
      await ctx.shot("12-radiology-uploaded");
      await (await s.find('#doc-rows button[aria-label="Open chest-xray.jpg"]')).click();
      await s.waitFor("#viewer-image");
      await s.keys("\uE00C");
      // A clinical stamp is a clinician's: a records admin is not offered one (issue 22 item 9).
      assert.equal((await s.findAll("#doc-rows .stamp-button")).length, 0, "no stamp button for a records admin");
      await ctx.shot("13-radiology-uploaded-no-stamp");
      await checkA11y(ctx, "radiology list after upload");
      await signOut(s);
    },
  },
  {
    id: "tiff-drop",
    name: "ward staff drop a TIFF scan: it gets a thumbnail and opens from its 1600 px optimized image",
    async run(ctx) {
      const { s } = ctx;
      const nurse = user(ctx, "nurse.hughes");
      await submitSignIn(s, nurse.username, nurse.password);
      await s.fill("#patient-query", "999 821 9930");
      await (await s.find("#search-submit")).click();
      await s.waitFor("#patient-record");
      const preop = '#tiles button[data-category="preop"]';
      await s.waitUntil(async () => (await (await s.find(preop)).attr("data-count")) === "0", "preop starts empty");
      // Wider than the optimized image, so opening it shows the 1600 px JPEG, not the original.
      await dropTiff(s, "preop", "ward-scan.tif", 1800, 1200);
      await s.waitUntil(async () => (await (await s.find(preop)).attr("data-count")) === "1", "preop counts the scan", 60000);
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the scan is listed");
      if (ctx.platform === "desktop") {
        // The window staged the file in the user's data folder; once queued it is gone.
        const staging = path.join(ctx.sandbox.env.CHARTDESK_DATA_DIR, "staging");
        await s.waitUntil(async () => readdirSync(staging).length === 0, "no staged upload is left behind");
      }
      await s.waitUntil(
        async () => ((await (await s.find("#doc-rows td.thumb img")).attr("src")) ?? "").startsWith("blob:"),
        "its thumbnail shows (made from the TIFF where it was added)",
      );
      await (await s.find('#doc-rows button[aria-label="Open ward-scan.tif"]')).click();
      const width = () => s.execute('const i = document.getElementById("viewer-image"); return i && i.complete ? i.naturalWidth : 0;');
      await s.waitUntil(async () => (await width()) === 1600, "the optimized image is drawn", 30000);
      assert.equal(await (await s.find("#viewer-status")).text(), "", "no error over the image");
      await ctx.shot("13b-tiff-dropped");
      await s.keys("\uE00C");
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
      await signOut(s);
    },
  },
  {
    id: "access-history",
    name: "a records admin sees who opened a restricted record, when and why",
    async run(ctx) {
      const { s } = ctx;
      const admin = user(ctx, "admin.byrne");
      await submitSignIn(s, admin.username, admin.password);
      await s.fill("#patient-query", "999 186 0916");
      await (await s.find("#search-submit")).click();
      await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
      await (await s.find("#bg-direct_care")).click();
      await (await s.find("#break-glass-open")).click();
      await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === "999 186 0916", "banner shows the patient");
      await (await s.waitFor("#show-access-history")).click();
      await s.waitUntil(async () => (await s.findAll("#access-history-rows tr")).length > 0, "history rows load");
      const rows = [];
      for (const tr of await s.findAll("#access-history-rows tr")) rows.push(await tr.text());
      assert.ok(
        rows.some((r) => r.includes("dr.okafor") && r.includes("Opened the restricted record") && r.includes("Clinical emergency: arrest call, ward 7")),
        `the clinician's break-glass is listed with its reason (rows: ${rows.join(" | ")})`,
      );
      assert.ok(rows.some((r) => r.includes("admin.byrne") && r.includes("I am caring for this patient")), "the admin's own access is listed");
      assert.ok(rows.every((r) => /^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}/.test(r)), "times in UK form");
      await ctx.shot("14-access-history");
      await checkA11y(ctx, "access history");
      await signOut(s);
    },
  },
  // Last: they start and end on the sign-in screen, and stamp or add only what no scenario
  // above counts.
  keyboardScenario,
  zoomScenario,
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
    await submitSignIn(s, clinician.username, clinician.password);
    await s.fill("#patient-query", "943 476 5919");
    await (await s.find("#search-submit")).click();
    await s.waitFor("#patient-record");

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

/**
 * Registers every shared scenario with node:test, in order. A failing scenario leaves a
 * screenshot named after it (`failed-<id>`) beside the others.
 */
export function registerScenarios(test, ctx, list = scenarios) {
  for (const scenario of list) {
    test(scenario.name, async () => {
      try {
        await scenario.run(ctx);
      } catch (e) {
        await ctx.shot(`failed-${scenario.id}`).catch(() => undefined);
        throw e;
      }
    });
  }
}
