// Steps the scenarios share: signing in and out, finding a patient (a demo one by NHS number,
// a seeded one by MRN), opening a restricted record. Each scenario starts on the sign-in
// screen (registerScenarios resets the app) and signs in itself.
import { seedPatient } from "./harness.mjs";

/** A demo user from the sandbox's report (`dr.okafor`, `nurse.hughes`, `admin.byrne`, …). */
export const user = (ctx, name) => ctx.sandbox.report.users.find((u) => u.username === name);

/** Types into the sign-in form and submits it. */
export async function submitSignIn(s, username, password) {
  await s.fill("#username", username);
  await s.fill("#password", password);
  await (await s.find("#signin-submit")).click();
}

/** Signs a demo user in and waits for the patient search. */
export async function signIn(ctx, name) {
  const u = user(ctx, name);
  await submitSignIn(ctx.s, u.username, u.password);
  await ctx.s.waitFor("#patient-view");
  return u;
}

export async function signOut(s) {
  await (await s.find("#sign-out")).click();
  await s.waitFor("#signin-view");
}

/** Searches for `query` (clicking Search) and waits until the banner shows `nhs`. */
export async function findPatient(s, query, nhs) {
  await s.fill("#patient-query", query);
  await (await s.find("#search-submit")).click();
  await s.waitFor("#patient-record");
  await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === nhs, `the banner shows ${nhs}`);
}

/** The NHS number as the banner shows it: 943 476 5919. */
export const nhsShown = (nhs) => `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;

/**
 * A patient of this scenario's own (see `seedPatient`): nobody else changes its documents, so
 * the scenario's counts hold whatever ran before. Adds `query` (how to find it: by MRN only)
 * and `nhsShown`.
 */
export async function ownPatient(ctx, categories = []) {
  const p = await seedPatient(ctx.sandbox, { categories });
  return { ...p, query: `MRN ${p.mrn}`, nhsShown: nhsShown(p.nhs_number) };
}

/** Opens a seeded patient (see `ownPatient`) from the patient search. */
export const findOwnPatient = (s, patient) => findPatient(s, patient.query, patient.nhsShown);

/** The demo restricted record and the reason the scenarios give to open it. */
export const RESTRICTED_NHS = "999 186 0916";
export const EMERGENCY = { reason: "clinical_emergency", detail: "arrest call, ward 7" };

/** Searches for the restricted record and answers its reason prompt with `reason` (`detail`). */
export async function breakGlass(s, { reason, detail }) {
  await s.fill("#patient-query", RESTRICTED_NHS);
  await (await s.find("#search-submit")).click();
  await s.waitUntil(async () => await (await s.find("#break-glass-dialog")).displayed(), "the reason prompt opens");
  await (await s.find(`#bg-${reason}`)).click();
  if (detail) await s.fill("#break-glass-detail", detail);
  await (await s.find("#break-glass-open")).click();
  await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === RESTRICTED_NHS, "banner shows the patient");
}

export const NHS_BLUE = "rgb(0, 94, 184)";

/** Computed colours as `rgb(r, g, b)` whichever form the driver answers in. */
export const rgb = (c) => String(c).replace(/^rgba\((\d+), (\d+), (\d+), 1\)$/, "rgb($1, $2, $3)");

/** The demo patient the reading scenarios open (WHITFIELD, Amara: 2 lab reports, 3 preop
 * images, …); no scenario changes her documents. */
export const DEMO_NHS = "943 476 5919";

/** Signs `name` in and opens the demo patient. */
export async function openDemoPatient(ctx, name = "dr.okafor") {
  await signIn(ctx, name);
  await findPatient(ctx.s, DEMO_NHS, DEMO_NHS);
}

/** Opens the shown patient's lab list and waits for its `rows` rows. */
export async function openLab(s, rows = 2) {
  await (await s.find('#tiles button[data-category="lab"]')).click();
  await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === rows, "lab listed");
}

/**
 * Clicks what `selector` finds, finding it again if the list was re-rendered in between (the
 * open record refreshes itself when the server's worker records a verdict or preview).
 */
export async function clickFresh(s, selector, tries = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      await (await s.find(selector)).click();
      return;
    } catch (e) {
      if (attempt >= tries || !String(e?.message ?? e).includes("stale element")) throw e;
    }
  }
}
