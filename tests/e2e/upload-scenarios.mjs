// The scenarios that add documents (see scenarios.mjs): dropped on a tile by ward staff and a
// records admin, a full preop, a TIFF scan. Each adds to a seeded patient of its own.
import assert from "node:assert/strict";
import path from "node:path";
import { readdirSync } from "node:fs";
import { checkA11y } from "./axe.mjs";
import { dropJpeg, dropTiff } from "./drop.mjs";
import { NHS_BLUE, clickFresh, findOwnPatient, ownPatient, rgb, signIn, signOut } from "./steps.mjs";

/** Drops a JPEG named `name` on a tile; the name is checked against the logs with the rest. */
/** The server's worker makes an upload's previews after it lands (and passes its virus
 * check): the list shows the thumbnail once it is read again, so the category is reopened now
 * and then, as a user would (live refresh does it by itself where it runs). */
async function untilThumbnail(s, tile, what) {
  let reopened = Date.now();
  await s.waitUntil(
    async () => {
      if (Date.now() - reopened > 2000) {
        reopened = Date.now();
        await clickFresh(s, tile);
      }
      const img = await s.findAll("#doc-rows td.thumb img");
      return img.length === 1 && ((await img[0].attr("src")) ?? "").startsWith("blob:");
    },
    what,
    90000,
  );
}

async function drop(ctx, category, name) {
  ctx.sandbox.seeded.push(name);
  await dropJpeg(ctx.s, category, name);
}

export const uploadScenarios = [
  {
    id: "drop-upload-preop-full",
    name: "ward staff drop a JPEG on a grey tile: it turns blue with count 1; a 4th preop image offers replace-oldest",
    async run(ctx) {
      const { s } = ctx;
      const patient = await ownPatient(ctx);
      await signIn(ctx, "nurse.hughes");
      await findOwnPatient(s, patient);
      // Its preop holds 3 images to begin with, dropped one by one.
      for (let n = 1; n <= 3; n += 1) {
        await drop(ctx, "preop", `preop-${n}.jpg`);
        await s.waitUntil(
          async () => (await (await s.find('#tiles button[data-category="preop"]')).attr("data-count")) === String(n),
          `preop holds ${n}`,
        );
      }
      await drop(ctx, "intraop", "theatre-photo.jpg");
      await s.waitUntil(
        async () => (await (await s.find('#tiles button[data-category="intraop"]')).attr("data-count")) === "1",
        "the intraop tile counts the new document",
      );
      await s.waitUntil(
        async () => rgb(await (await s.find('#tiles button[data-category="intraop"]')).css("background-color")) === NHS_BLUE,
        "the intraop tile turns blue",
      );
      await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "the upload reports Added");

      await drop(ctx, "preop", "fourth.jpg");
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
      await signIn(ctx, "dr.okafor");
      await findOwnPatient(s, patient);
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
      const patient = await ownPatient(ctx);
      await signIn(ctx, "admin.byrne");
      await findOwnPatient(s, patient);
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
      await drop(ctx, "radiology", "chest-xray.jpg");
      // While it goes up (progress bar and Cancel), or just after if it is that quick.
      await checkA11y(ctx, "upload in progress");
      await s.waitUntil(async () => (await (await s.find(radiology)).attr("data-count")) === "1", "radiology counts 1");
      await s.waitUntil(async () => rgb(await (await s.find(radiology)).css("background-color")) === NHS_BLUE, "radiology turns blue");
      const seen = await s.execute("return window.__progressSeen;");
      assert.ok(seen.includes("100%"), `progress reached 100% (saw ${seen.join(", ")})`);

      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the new document is listed");
      await untilThumbnail(s, radiology, "its thumbnail shows (made by the server)");
      await ctx.shot("12-radiology-uploaded");
      await clickFresh(s, '#doc-rows button[aria-label="Open chest-xray.jpg"]');
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
      const patient = await ownPatient(ctx);
      await signIn(ctx, "nurse.hughes");
      await findOwnPatient(s, patient);
      const preop = '#tiles button[data-category="preop"]';
      await s.waitUntil(async () => (await (await s.find(preop)).attr("data-count")) === "0", "preop starts empty");
      // Wider than the optimized image, so opening it shows the 1600 px JPEG, not the original.
      ctx.sandbox.seeded.push("ward-scan.tif");
      await dropTiff(s, "preop", "ward-scan.tif", 1800, 1200);
      await s.waitUntil(async () => (await (await s.find(preop)).attr("data-count")) === "1", "preop counts the scan", 60000);
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the scan is listed");
      if (ctx.platform === "desktop") {
        // The window staged the file in the user's data folder; once queued it is gone.
        const staging = path.join(ctx.sandbox.env.CHARTDESK_DATA_DIR, "staging");
        await s.waitUntil(async () => readdirSync(staging).length === 0, "no staged upload is left behind");
      }
      await untilThumbnail(s, preop, "its thumbnail shows (made from the TIFF by the server)");
      await clickFresh(s, '#doc-rows button[aria-label="Open ward-scan.tif"]');
      const width = () => s.execute('const i = document.getElementById("viewer-image"); return i && i.complete ? i.naturalWidth : 0;');
      await s.waitUntil(async () => (await width()) === 1600, "the optimized image is drawn", 30000);
      assert.equal(await (await s.find("#viewer-status")).text(), "", "no error over the image");
      await ctx.shot("13b-tiff-dropped");
      await s.keys("\uE00C");
      await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "the viewer closes");
      await signOut(s);
    },
  },
];
