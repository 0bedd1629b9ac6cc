// The scenarios that read records (see scenarios.mjs): the patient search, the banner and
// tiles, lists and the viewer, a clinical stamp, a restricted record and who opened it. The
// demo patients are only read here; what changes documents has a seeded patient of its own.
import assert from "node:assert/strict";
import { recordTiming } from "./harness.mjs";
import { checkA11y } from "./axe.mjs";
import { armTimer, readTimer, timedSignIn } from "./timers.mjs";
import {
  EMERGENCY,
  NHS_BLUE,
  RESTRICTED_NHS,
  breakGlass,
  findOwnPatient,
  openDemoPatient,
  ownPatient,
  rgb,
  signIn,
  signOut,
} from "./steps.mjs";

export const recordScenarios = [
  {
    id: "invalid-nhs-number",
    name: "an invalid NHS number gets the message staff know",
    async run(ctx) {
      const { s } = ctx;
      await signIn(ctx, "dr.okafor");
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
      const signinMs = await timedSignIn(ctx, "dr.okafor");
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
      recordTiming(ctx.platform, "signin_plus_search_to_tiles_ms", signinMs + tilesMs);
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
      await openDemoPatient(ctx);
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
      // A patient of its own: the stamp changes what other scenarios would count.
      const patient = await ownPatient(ctx, ["lab", "lab"]);
      await signIn(ctx, "dr.okafor");
      await findOwnPatient(s, patient);
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
      await signIn(ctx, "dr.okafor");
      await s.fill("#patient-query", RESTRICTED_NHS);
      await (await s.find("#search-submit")).click();
      await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
      await ctx.shot("03a-break-glass");
      await checkA11y(ctx, "break-glass dialog");
      // "Other" without words is refused in the prompt itself.
      await (await s.find("#bg-other")).click();
      await (await s.find("#break-glass-open")).click();
      await s.waitUntil(async () => (await (await s.find("#break-glass-error")).text()).includes("Say why"), "other needs words");
      await checkA11y(ctx, "break-glass dialog, reason refused");
      await (await s.find(`#bg-${EMERGENCY.reason}`)).click();
      await s.fill("#break-glass-detail", EMERGENCY.detail);
      await (await s.find("#break-glass-open")).click();
      await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === RESTRICTED_NHS, "banner shows the new patient");
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
      await signIn(ctx, "dr.okafor");
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
    id: "access-history",
    name: "a records admin sees who opened a restricted record, when and why",
    async run(ctx) {
      const { s } = ctx;
      // The clinician's own break-glass first: this scenario lists what it did itself.
      await signIn(ctx, "dr.okafor");
      await breakGlass(s, EMERGENCY);
      await signOut(s);
      await signIn(ctx, "admin.byrne");
      await breakGlass(s, { reason: "direct_care" });
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
];
