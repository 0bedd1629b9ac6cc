// The keyboard-only path (issue 27 item 3), shared by the window and the browser: sign in, find
// a patient, a restricted record's prompt closed with Esc, open a category, open a document,
// next/previous, find in the PDF, close with Esc, stamp, sign out; then add a file through the
// file chooser's keyboard path. Only keys are sent: the page counts any pointer use and the
// path fails on one. After every key, focus must be visible, on screen and never behind an
// open overlay (viewer, dialog, lock).
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { ownPatient } from "./steps.mjs";

const TAB = "\uE004";
const SHIFT = "\uE008";
const CTRL = "\uE009";
const ENTER = "\uE007";
const ESCAPE = "\uE00C";
const LEFT = "\uE012";
const RIGHT = "\uE014";

/** Counts pointer use from here on (a real pointer: trusted events only). */
async function watchPointer(s) {
  await s.execute(
    `if (window.__pointerUse !== undefined) return;
     window.__pointerUse = [];
     for (const type of ["pointerdown", "mousedown", "touchstart", "wheel"])
       document.addEventListener(type, (e) => { if (e.isTrusted) window.__pointerUse.push(type); }, true);`,
  );
}

/** Where focus is, and whether a sighted keyboard user can see it and reach it. */
function focusState(s) {
  return s.execute(
    `const a = document.activeElement;
     if (!a || a === document.body || a === document.documentElement) return { none: true };
     const style = getComputedStyle(a);
     const rect = a.getBoundingClientRect();
     const open = (id) => { const e = document.getElementById(id); return e && !e.hidden; };
     return {
       what: a.id ? "#" + a.id : (a.getAttribute("aria-label") || a.tagName.toLowerCase() + " " + (a.textContent || "").trim().slice(0, 40)),
       id: a.id,
       label: a.getAttribute("aria-label"),
       indicated: a.matches(":focus-visible") && ((style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none"),
       shown: rect.width > 0 && rect.height > 0 && !a.closest("[hidden]"),
       inert: !!a.closest("[inert]"),
       behind:
         (open("lock-view") && !a.closest("#lock-view") && "the lock screen") ||
         (document.querySelector("dialog[open]") && !a.closest("dialog[open]") && "a dialog") ||
         (open("viewer") && !a.closest("#viewer") && "the viewer") ||
         null,
     };`,
  );
}

/** Fails unless focus is on a visible, indicated control in front of every overlay. */
async function assertFocusOk(s, where) {
  const f = await focusState(s);
  if (f.none) return f; // between the last control and the first (the browser's own UI)
  assert.ok(f.shown, `focus on ${f.what} is on a control that is not shown (${where})`);
  assert.ok(f.indicated, `focus on ${f.what} is not visible: no focus indicator (${where})`);
  assert.ok(!f.inert, `focus on ${f.what} went into an inert part of the page (${where})`);
  assert.equal(f.behind, null, `focus on ${f.what} is behind ${f.behind} (${where})`);
  return f;
}

/** Presses Tab (Shift+Tab with `back`) until focus is on `css`, checking focus at each step. */
async function tabTo(s, css, { back = false, max = 60 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await s.keys(back ? `${SHIFT}${TAB}${SHIFT}` : TAB);
    await assertFocusOk(s, `tabbing to ${css}`);
    if (await s.execute("return !!document.activeElement && document.activeElement.matches(arguments[0]);", [css])) return;
  }
  throw new Error(`${css} was not reached with ${back ? "Shift+Tab" : "Tab"} in ${max} presses`);
}

async function activeMatches(s, css) {
  return s.execute("return !!document.activeElement && document.activeElement.matches(arguments[0]);", [css]);
}

/** Replaces the focused field's text by typing, as a user would (select all, then type). */
async function typeInto(s, css, text) {
  assert.ok(await activeMatches(s, css), `focus is in ${css}`);
  await s.keys(`${CTRL}a${CTRL}${text}`);
}

async function signInByKeyboard(s, username, password) {
  await s.waitFor("#signin-view");
  // The form puts focus in the user name, or in the password when the name is remembered.
  if (await activeMatches(s, "#password")) await s.keys(`${SHIFT}${TAB}${SHIFT}`);
  await assertFocusOk(s, "sign-in");
  await typeInto(s, "#username", username);
  await s.keys(TAB);
  await typeInto(s, "#password", password);
  await s.keys(ENTER);
  await s.waitFor("#patient-view");
  assert.ok(await activeMatches(s, "#patient-query"), "signed in, focus is in the patient search");
}

async function findPatientByKeyboard(s, query, nhs) {
  if (!(await activeMatches(s, "#patient-query"))) await tabTo(s, "#patient-query", { back: true });
  await typeInto(s, "#patient-query", query);
  await s.keys(ENTER);
  await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === nhs, `the banner shows ${nhs}`);
}

async function signOutByKeyboard(s) {
  await tabTo(s, "#sign-out", { back: true, max: 80 });
  await s.keys(ENTER);
  await s.waitFor("#signin-view");
  await assertFocusOk(s, "after sign-out");
}

/** Answers the file chooser the app asks for with a JPEG, as the chooser itself would. The
 * page stops the native chooser (no one can drive it through WebDriver) and records that it was
 * asked for. */
async function armFileChooser(s) {
  await s.execute(
    `window.__chooserAsked = 0;
     document.getElementById("upload-input").addEventListener("click", (e) => {
       window.__chooserAsked += 1;
       e.preventDefault();
     }, { once: true });`,
  );
}

async function chooserReturns(s, name) {
  await s.executeAsync(
    `const [name, done] = arguments;
     const canvas = document.createElement("canvas");
     canvas.width = 320; canvas.height = 240;
     const g = canvas.getContext("2d");
     g.fillStyle = "#005EB8"; g.fillRect(0, 0, 320, 240);
     canvas.toBlob((blob) => {
       const dt = new DataTransfer();
       dt.items.add(new File([blob], name, { type: "image/jpeg" }));
       const input = document.getElementById("upload-input");
       input.files = dt.files;
       input.dispatchEvent(new Event("change", { bubbles: true }));
       done(true);
     }, "image/jpeg", 0.9);`,
    [name],
  );
}

export const keyboardScenario = {
  id: "keyboard-only",
  name: "keyboard only: sign in, find, open, step, find in PDF, stamp, close, add a file, sign out; focus always visible, Esc returns it",
  async run(ctx) {
    const { s } = ctx;
    const user = (name) => ctx.sandbox.report.users.find((u) => u.username === name);
    // A patient of its own (two lab reports, nothing else): the stamp and the added file
    // change no count another scenario reads.
    const patient = await ownPatient(ctx, ["lab", "lab"]);
    await s.waitFor("#signin-view");
    await watchPointer(s);

    const clinician = user("dr.okafor");
    await signInByKeyboard(s, clinician.username, clinician.password);

    // A restricted record asks why; Esc cancels the prompt and gives focus back to the search.
    await typeInto(s, "#patient-query", "999 186 0916");
    await s.keys(ENTER);
    await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
    await assertFocusOk(s, "break-glass prompt open");
    for (let i = 0; i < 8; i += 1) {
      await s.keys(TAB);
      await assertFocusOk(s, "tabbing in the break-glass prompt");
    }
    await s.keys(ESCAPE);
    await s.waitUntil(async () => !(await (await s.find("#break-glass-dialog")).displayed()), "Esc closes the prompt");
    assert.ok(await activeMatches(s, "#patient-query"), "focus is back in the search box");

    await findPatientByKeyboard(s, patient.query, patient.nhsShown);
    const lab = '#tiles button[data-category="lab"]';
    await tabTo(s, lab);
    await s.keys(ENTER);
    await s.waitUntil(async () => (await (await s.find("#category-title")).text()) === "Lab (2)", "the lab list opens");
    await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "lab rows loaded");
    assert.ok(await activeMatches(s, lab), "focus stays on the tile");
    assert.equal(await (await s.find(lab)).attr("aria-pressed"), "true");

    // Open the first report; the viewer takes focus.
    await tabTo(s, '#doc-rows tr:first-child button[aria-label^="Open "]');
    const opener = (await focusState(s)).label;
    await s.keys(ENTER);
    await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
    await assertFocusOk(s, "viewer open");
    await s.keys(RIGHT);
    await s.waitUntil(async () => /\(2 of 2\)$/.test(await (await s.find("#viewer-title")).text()), "Right arrow: the next document");
    await s.keys(LEFT);
    await s.waitUntil(async () => /\(1 of 2\)$/.test(await (await s.find("#viewer-title")).text()), "Left arrow: the previous one");
    await s.waitFor('#viewer-body canvas[data-page="1"]', 30000);
    await s.keys(`${CTRL}f${CTRL}`);
    await s.waitUntil(() => activeMatches(s, "#viewer-find-text"), "Ctrl+F puts focus in the find box");
    await s.keys("Seeded");
    await s.waitUntil(async () => /^1 of \d+ \(page 1\)$/.test(await (await s.find("#viewer-find-count")).text()), "find reports the match");
    await s.keys(ENTER);
    await assertFocusOk(s, "find in the PDF");
    // Tab goes round the viewer's own controls, never to the page behind it.
    for (let i = 0; i < 14; i += 1) {
      await s.keys(TAB);
      await assertFocusOk(s, "tabbing in the viewer");
    }
    await s.keys(ESCAPE);
    await s.waitUntil(async () => !(await (await s.find("#viewer")).displayed()), "Esc closes the viewer");
    assert.equal((await assertFocusOk(s, "viewer closed")).label, opener, "focus is back on the Open button that opened it");

    // Stamp a report: focus stays on its row once the row is redrawn.
    await tabTo(s, "#doc-rows .stamp-button");
    const row = await s.execute("return document.activeElement.closest('tr').dataset.docId;");
    await s.keys(ENTER);
    await s.waitUntil(
      async () => (await (await s.find(`#doc-rows tr[data-doc-id="${row}"] td.stamp-cell`)).text()) === `verified by ${clinician.username}`,
      "the report is verified",
    );
    await s.waitUntil(
      async () => (await (await s.find(`${lab} .tile-badge`)).text()) === "1 of 2 verified",
      "the tile counts the stamp",
    );
    const after = await assertFocusOk(s, "after the stamp");
    assert.ok(!after.none, "focus is not dropped when the row is redrawn");
    await checkA11y(ctx, "lab list after a keyboard stamp");
    await signOutByKeyboard(s);

    // Add a file: "Add files…" asks for the file chooser; what it returns is uploaded.
    const nurse = user("nurse.hughes");
    await signInByKeyboard(s, nurse.username, nurse.password);
    await findPatientByKeyboard(s, patient.query, patient.nhsShown);
    const notes = '#tiles button[data-category="ot_notes"]';
    await tabTo(s, notes);
    await s.keys(ENTER);
    await s.waitFor("#upload-choose");
    await tabTo(s, "#upload-choose");
    await armFileChooser(s);
    await s.keys(ENTER);
    assert.equal(await s.execute("return window.__chooserAsked;"), 1, "Enter on Add files… opens the file chooser");
    ctx.sandbox.seeded.push("keyboard-notes.jpg");
    await chooserReturns(s, "keyboard-notes.jpg");
    await s.waitUntil(async () => (await (await s.find("#upload-list li")).text()).includes("Added"), "the chosen file is added");
    await s.waitUntil(async () => (await (await s.find(notes)).attr("data-count")) === "1", "the tile counts it");
    assert.ok(await activeMatches(s, "#upload-choose"), "focus stays on Add files…");
    await checkA11y(ctx, "upload added from the keyboard");
    await signOutByKeyboard(s);

    assert.deepEqual(await s.execute("return window.__pointerUse;"), [], "no pointer was used");
  },
};
