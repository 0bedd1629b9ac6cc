// Offline in the real window: the cloud goes away (a proxy in front of moto is cut), the
// patient and an opened document still show, an upload is queued; the cloud returns and the
// upload goes up by itself (or on "Try now"), and the tile count updates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "./webdriver.mjs";
import { dropJpeg } from "./drop.mjs";
import { checkA11y } from "./axe.mjs";
import { desktopCtx } from "./platforms.mjs";
import { DEMO_NHS, findPatient, signIn } from "./steps.mjs";

const ctx = desktopCtx({ viaSwitch: true, driverEnv: { CHARTDESK_KEYCHAIN: "keyutils" } });
const a11y = (screen) => checkA11y(ctx, screen);
const shot = (name) => ctx.shot(name);

test("offline, the opened patient and document still show and an upload waits; back online it goes up", async () => {
  await ctx.reset();
  const { s, sandbox } = ctx;
  await signIn(ctx, "nurse.hughes");
  await s.fill("#patient-query", "943 476 5919");
  await (await s.find("#search-submit")).click();
  await s.waitFor("#patient-record");
  await (await s.find('#tiles button[data-category="lab"]')).click();
  await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "lab listed");
  await (await s.find("#doc-rows tr:first-child button")).click();
  await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
  await s.keys("\uE00C");

  sandbox.network.cut();
  // Typing a name suggests what this computer keeps, with no network.
  await s.fill("#patient-query", "whitf");
  await s.waitUntil(
    async () => (await (await s.find("#search-suggestions button")).text()).startsWith("WHITFIELD, Amara"),
    "an offline suggestion as you type",
  );
  await shot("19-offline-suggestions");
  await a11y("offline suggestions as you type");
  // Find the patient again: shown from the encrypted cache, and the banner says so.
  await s.fill("#patient-query", "943 476 5919");
  await (await s.find("#search-submit")).click();
  await s.waitFor("#offline-banner", 20000);
  assert.match(await (await s.find("#offline-text")).text(), /^Offline — showing the copy saved on this computer/);
  assert.equal(await (await s.find('#tiles button[data-category="lab"]')).attr("data-count"), "2");
  await (await s.find('#tiles button[data-category="lab"]')).click();
  await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "lab listed offline");
  await (await s.find("#doc-rows tr:first-child button")).click();
  await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
  // Drawn from the offline copy, not just laid out: no busy or error text over the page.
  await s.waitUntil(async () => (await (await s.find("#viewer-status")).text()) === "", "the offline page is drawn");
  await shot("20-offline-document");
  await a11y("offline banner and viewer");
  await s.keys("\uE00C");

  sandbox.seeded.push("theatre-offline.jpg");
  await dropJpeg(s, "intraop", "theatre-offline.jpg");
  await s.waitUntil(
    async () => (await (await s.find("#upload-list li")).text()).includes("Queued"),
    "the upload is queued, not lost",
  );
  await s.waitFor("#outbox-panel", 20000);
  assert.match(await (await s.find("#outbox-list")).text(), /theatre-offline\.jpg/);
  await shot("21-offline-queued");
  await a11y("outbox panel with a queued upload");

  sandbox.network.restore();
  await (await s.find("#offline-retry")).click();
  await s.waitUntil(
    async () => (await (await s.find('#tiles button[data-category="intraop"]')).attr("data-count")) === "1",
    "the queued upload went up and the tile counts it",
    60000,
  );
  await s.waitUntil(async () => !(await (await s.find("#offline-banner")).displayed()), "online again");
  await s.waitUntil(
    async () => /Added/.test(await (await s.find("#upload-list li")).text()),
    "the upload's own line says it was added, not still queued",
  );
  await shot("22-back-online");
  await a11y("back online, upload added");
});

test("a slow document list for one patient never shows under the next patient searched for", async () => {
  await ctx.reset();
  const { s, sandbox } = ctx;
  await signIn(ctx, "nurse.hughes");
  const nhs = async () => (await (await s.find("#banner-nhs")).text()).trim();
  await findPatient(s, DEMO_NHS, DEMO_NHS);
  // Wait for this search to end (ten digits that could be an MRN too are always asked of the
  // server, never the cache alone).
  await s.waitUntil(
    async () => !(await (await s.find("#search-busy")).displayed()) && !(await (await s.find("#search-submit")).prop("disabled")),
    "the first search is done",
  );
  // The first patient's lab list (2 documents) is slow: its answer is held in flight.
  sandbox.network.holdServer(3000);
  await (await s.find('#tiles button[data-category="lab"]')).click();
  await sleep(400);
  sandbox.network.holdServer(0);
  await s.fill("#patient-query", "401 023 2137");
  await (await s.find("#search-submit")).click();
  await s.waitUntil(async () => (await nhs()) === "401 023 2137", "the second patient is shown");
  // Meanwhile the first answer arrives; it must never be drawn under the second patient.
  for (let i = 0; i < 40; i += 1) {
    assert.equal(await nhs(), "401 023 2137", "the banner stays on the second patient");
    const rows = await s.findAll("#doc-rows tr");
    const listShown = rows.length > 0 && (await (await s.find("#doc-rows")).displayed());
    assert.ok(!(listShown && rows.length === 2), "the first patient's lab list appeared under the second");
    await sleep(100);
  }
  await shot("16-slow-list-dropped");
});

