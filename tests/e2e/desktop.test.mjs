// End to end in the real desktop window: sign in → find patient → tiles, against the local cloud.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "./webdriver.mjs";
import { appLog, bins, screenshotDir, startDriver, startSandbox } from "./harness.mjs";
import { freshTotp, totpAt } from "./totp.mjs";
import { dropJpeg } from "./drop.mjs";

const NHS_BLUE = "rgb(0, 94, 184)";
let sandbox;
let driver;
let s; // reassigned when a test restarts the app

async function shot(name) {
  const file = path.join(screenshotDir, `${name}.png`);
  writeFileSync(file, await s.screenshot());
  return file;
}

/** Types into the sign-in form and submits it. */
async function submitSignIn(username, password) {
  await s.fill("#username", username);
  await s.fill("#password", password);
  await (await s.find("#signin-submit")).click();
}

before(async () => {
  sandbox = await startSandbox();
  driver = await startDriver(sandbox.env);
  s = await Session.create(driver.base, bins.desktop);
});

after(async () => {
  await s?.close();
  driver?.stop();
  sandbox?.stop();
});

test("the window opens on the sign-in screen with the sandbox named in the status bar", async () => {
  await s.waitFor("#signin-view");
  await s.waitUntil(async () => (await (await s.find("#status-profile")).text()).includes("sandbox"), "status bar shows the profile");
  await shot("01-sign-in");
});

test("a wrong password is refused in plain words and the password field is cleared", async () => {
  await submitSignIn("dr.okafor", "Not-The-Password-1!");
  const error = await s.waitFor("#signin-error");
  assert.equal(await error.text(), "The user name or password is incorrect");
  assert.equal(await (await s.find("#password")).prop("value"), "");
});

test("the demo clinician signs in and lands on the patient search with focus in the box", async () => {
  const clinician = sandbox.report.users.find((u) => u.username === "dr.okafor");
  await submitSignIn(clinician.username, clinician.password);
  await s.waitFor("#patient-view");
  assert.equal(await (await s.find("#user-roles")).text(), "Clinician");
  const active = await s.activeElement();
  assert.equal(await active.attr("id"), "patient-query");
});

test("an invalid NHS number gets the message staff know", async () => {
  await s.fill("#patient-query", "943 476 5918");
  await (await s.find("#search-submit")).click();
  const error = await s.waitFor("#search-error");
  assert.equal(await error.text(), "Invalid NHS number");
  assert.equal(await (await s.find("#patient-query")).attr("aria-invalid"), "true");
});

test("typing an NHS number and pressing Enter shows the banner and seven tiles, blue where documents exist", async () => {
  const box = await s.fill("#patient-query", "943 476 5919");
  await box.type("\uE007"); // Enter: the search works from the keyboard.
  await s.waitFor("#patient-record");
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
      background: await t.css("background-color"),
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
  assert.equal(seen[1].name, "Lab, 2 documents, 0 of 2 verified");
  assert.equal(seen[3].name, "Intraop, 0 documents");
  const greys = new Set(seen.filter((t) => t.count === "0").map((t) => t.background));
  assert.equal(greys.size, 1, "every empty tile has the same grey");
  await shot("02-patient-tiles");
});

test("a tile opens its document list; a PDF renders in the viewer and arrow keys move between documents", async () => {
  await (await s.find('#tiles button[data-category="lab"]')).click();
  await s.waitFor("#category-view");
  assert.equal(await (await s.find("#category-title")).text(), "Lab (2)");
  await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "both lab reports listed");
  await (await s.find("#doc-rows tr:first-child button")).click();
  await s.waitFor("#viewer");
  await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
  assert.match(await (await s.find("#viewer-title")).text(), /\(1 of 2\)$/);
  // The page is drawn and its text read without an error (pdf.js in WebKitGTK).
  await s.waitUntil(async () => (await (await s.find("#viewer-status")).text()) === "", "no error or busy text over the page");
  // Ctrl+F finds a word the demo report shows, and marks it.
  await s.keys("\uE009f\uE009"); // Ctrl down, f, Ctrl up
  await s.fill("#viewer-find-text", "demo");
  await s.waitUntil(async () => /^1 of \d+ \(page 1\)$/.test(await (await s.find("#viewer-find-count")).text()), "find reports the match");
  assert.ok((await s.findAll("#viewer-body .find-hit")).length >= 1, "the match is highlighted");
  await shot("08-pdf-viewer");
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
  await shot("09-image-viewer");
  await s.keys("\uE00C");
});

test("a clinician verifies a lab report and the tile shows how many are verified", async () => {
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
  await shot("10-lab-verified");
});

test("a restricted record asks why it is opened (break-glass), then shows its flag in the banner", async () => {
  await s.fill("#patient-query", "999 186 0916");
  await (await s.find("#search-submit")).click();
  await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
  await shot("03a-break-glass");
  // "Other" without words is refused in the prompt itself.
  await (await s.find("#bg-other")).click();
  await (await s.find("#break-glass-open")).click();
  await s.waitUntil(async () => (await (await s.find("#break-glass-error")).text()).includes("Say why"), "other needs words");
  await (await s.find("#bg-clinical_emergency")).click();
  await s.fill("#break-glass-detail", "arrest call, ward 7");
  await (await s.find("#break-glass-open")).click();
  await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === "999 186 0916", "banner shows the new patient");
  const flag = await s.waitFor(".flag-restricted");
  assert.equal(await flag.text(), "Restricted record");
  await shot("03-restricted");
});

test("signing out returns to the sign-in screen and clears the patient", async () => {
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
  assert.equal(await (await s.find("#patient-record")).displayed(), false);
  assert.equal(await (await s.find("#patient-banner")).text(), "");
});

test("a first sign-in with a temporary password asks for a new one, refuses a weak one, then signs in", async () => {
  const starter = sandbox.report.users.find((u) => u.must_change_password);
  await submitSignIn(starter.username, starter.password);
  await s.waitFor("#new-password-view");
  const rules = await s.findAll("#new-password-rules li");
  assert.equal(await rules[0].text(), "At least 12 characters");
  assert.equal(await (await s.activeElement()).attr("id"), "new-password");

  await s.fill("#new-password", "short");
  await s.fill("#confirm-password", "short");
  await (await s.find("#new-password-submit")).click();
  const error = await s.waitFor("#new-password-error");
  assert.match(await error.text(), /password/i);
  await shot("04-new-password-refused");

  await s.fill("#new-password", "Chosen-Pass-2026!");
  await s.fill("#confirm-password", "Chosen-Pass-2026!");
  await (await s.find("#new-password-submit")).click();
  await s.waitFor("#patient-view");
  assert.equal(await (await s.find("#user-name")).text(), starter.username);
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
});

test("a restart signs the last user straight back in; after sign-out a restart shows sign-in", async () => {
  const nurse = sandbox.report.users.find((u) => u.username === "nurse.hughes");
  await submitSignIn(nurse.username, nurse.password);
  await s.waitFor("#patient-view");

  await s.close();
  s = await Session.create(driver.base, bins.desktop);
  await s.waitFor("#patient-view");
  assert.equal(await (await s.find("#user-name")).text(), nurse.username);
  assert.equal(await (await s.find("#user-roles")).text(), "Ward staff");
  await shot("05-restored-after-restart");

  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
  await s.close();
  s = await Session.create(driver.base, bins.desktop);
  await s.waitFor("#signin-view");
});

test("an authenticator user is asked for the 6-digit code; a wrong one is refused, the right one signs in", async () => {
  assert.equal(totpAt("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082", "RFC 6238 vector");
  const mfa = sandbox.report.users.find((u) => u.totp_secret);
  await submitSignIn(mfa.username, mfa.password);
  await s.waitFor("#totp-view");
  assert.equal(await (await s.activeElement()).attr("id"), "totp-code");

  const right = await freshTotp(mfa.totp_secret);
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
  await s.fill("#totp-code", wrong);
  await (await s.find("#totp-submit")).click();
  const error = await s.waitFor("#totp-error");
  assert.match(await error.text(), /^That code is not right/);
  await shot("07-totp-wrong-code");

  await s.fill("#totp-code", await freshTotp(mfa.totp_secret));
  await (await s.find("#totp-submit")).click();
  await s.waitFor("#patient-view");
  assert.equal(await (await s.find("#user-name")).text(), mfa.username);
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
});

test("ward staff drop a JPEG on a grey tile: it turns blue with count 1; a 4th preop image offers replace-oldest", async () => {
  const nurse = sandbox.report.users.find((u) => u.username === "nurse.hughes");
  await submitSignIn(nurse.username, nurse.password);
  await s.fill("#patient-query", "943 476 5919");
  await (await s.find("#search-submit")).click();
  await s.waitFor("#patient-record");
  await dropJpeg(s, "intraop", "theatre-photo.jpg");
  await s.waitUntil(
    async () => (await (await s.find('#tiles button[data-category="intraop"]')).attr("data-count")) === "1",
    "the intraop tile counts the new document",
  );
  await s.waitUntil(
    async () => (await (await s.find('#tiles button[data-category="intraop"]')).css("background-color")) === NHS_BLUE,
    "the intraop tile turns blue",
  );
  await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "the upload reports Added");

  await dropJpeg(s, "preop", "fourth.jpg");
  const replace = await s.waitFor("#upload-list li button.replace-oldest");
  assert.match(await (await s.find("#upload-list li span.refused")).text(), /Preop already holds 3 images/);
  await shot("11-preop-full");
  await replace.click();
  await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "replaced the oldest");
  // Tiles are re-rendered as the record refreshes: read them afresh until settled.
  await s.waitUntil(
    async () => (await (await s.find('#tiles button[data-category="preop"]')).attr("data-count")) === "3",
    "preop still holds 3 images",
  );
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
});

test("a records admin uploads a JPEG into radiology with progress shown, then opens and stamps it", async () => {
  const admin = sandbox.report.users.find((u) => u.username === "admin.byrne");
  await submitSignIn(admin.username, admin.password);
  await s.fill("#patient-query", "999 628 1949");
  await (await s.find("#search-submit")).click();
  await s.waitFor("#patient-record");
  const radiology = '#tiles button[data-category="radiology"]';
  assert.equal(await (await s.find(radiology)).attr("data-count"), "0");
  // Record every progress value the window shows while the file goes up.
  await s.execute(
    `window.__progressSeen = [];
     new MutationObserver(() => {
       for (const p of document.querySelectorAll("#upload-list progress[aria-valuetext]"))
         window.__progressSeen.push(p.getAttribute("aria-valuetext"));
     }).observe(document.getElementById("upload-list"), { subtree: true, attributes: true, childList: true });`,
  );
  await dropJpeg(s, "radiology", "chest-xray.jpg");
  await s.waitUntil(async () => (await (await s.find(radiology)).attr("data-count")) === "1", "radiology counts 1");
  await s.waitUntil(async () => (await (await s.find(radiology)).css("background-color")) === NHS_BLUE, "radiology turns blue");
  const seen = await s.execute("return window.__progressSeen;");
  assert.ok(seen.includes("100%"), `progress reached 100% (saw ${seen.join(", ")})`);

  await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "the new document is listed");
  await s.waitUntil(
    async () => ((await (await s.find("#doc-rows td.thumb img")).attr("src")) ?? "").startsWith("blob:"),
    "its thumbnail shows",
  );
  await shot("12-radiology-uploaded");
  await (await s.find('#doc-rows button[aria-label="Open chest-xray.jpg"]')).click();
  await s.waitFor("#viewer-image");
  await s.keys("\uE00C");
  await (await s.find("#doc-rows .stamp-button")).click();
  await s.waitUntil(
    async () => (await (await s.find("#doc-rows tr")).text()).includes("reviewed by admin.byrne"),
    "the stamp shows on the document",
  );
  await s.waitUntil(
    async () => /1 of 1 reviewed/.test(await (await s.find(radiology)).text()),
    "the tile badge counts it",
  );
  await shot("13-radiology-stamped");
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
});

test("a records admin sees who opened a restricted record, when and why", async () => {
  const admin = sandbox.report.users.find((u) => u.username === "admin.byrne");
  await submitSignIn(admin.username, admin.password);
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
  await shot("14-access-history");
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
});

test("no patient name or NHS number reaches the app's log over the whole run", async () => {
  const log = appLog();
  assert.ok(log.includes("INFO") || log.includes("WARN"), "the app's log was captured");
  const identifiers = [
    "Whitfield", "Kowalczyk", "Adeyemi", "MacLeod", "Gallagher", "Ashworth",
    "9434765919", "943 476 5919", "4010232137", "401 023 2137", "9991860916", "999 186 0916",
  ];
  for (const id of identifiers) assert.ok(!log.includes(id), `the app's log names ${id}`);
});
