// Records admins are told of each document the virus scanner blocked (see scenarios.mjs): ward
// staff drop a picture carrying the anti-virus test string; once the server's worker blocks it,
// a records admin's patient search says so, the list names the patient and the file, and a row
// opens that patient. A clinician is shown no such notice.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { clickFresh, findOwnPatient, ownPatient, signIn, signOut } from "./steps.mjs";

/** The anti-virus test string (eicar.org): harmless; the sandbox's clamd reports it anywhere. */
const EICAR = String.raw`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`;

/** Drops a real JPEG with the test string after its end on a tile. */
async function dropInfectedJpeg(ctx, category, name) {
  ctx.sandbox.seeded.push(name);
  await ctx.s.executeAsync(
    `const [category, name, eicar, done] = arguments;
     const canvas = document.createElement("canvas");
     canvas.width = 320; canvas.height = 240;
     canvas.getContext("2d").fillRect(0, 0, 320, 240);
     canvas.toBlob((blob) => {
       const dt = new DataTransfer();
       dt.items.add(new File([blob, eicar], name, { type: "image/jpeg" }));
       const tile = document.querySelector('#tiles button[data-category="' + category + '"]');
       tile.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
       done(true);
     }, "image/jpeg", 0.9);`,
    [category, name, EICAR],
  );
}

export const alertScenarios = [
  {
    id: "virus-alerts",
    name: "a records admin's patient search says how many documents the virus scanner blocked; a row opens that patient, and a clinician sees no notice",
    async run(ctx) {
      const { s } = ctx;
      const patient = await ownPatient(ctx);
      await signIn(ctx, "nurse.hughes");
      await findOwnPatient(s, patient);
      const lab = '#tiles button[data-category="lab"]';
      await dropInfectedJpeg(ctx, "lab", "infected-scan.jpg");
      await s.waitUntil(async () => (await (await s.find(lab)).attr("data-count")) === "1", "lab counts the upload", 60000);
      // The worker's verdict: the list shows the row blocked once it is read again.
      let reopened = 0;
      await s.waitUntil(
        async () => {
          if (Date.now() - reopened > 2000) {
            reopened = Date.now();
            await clickFresh(s, lab);
          }
          const notes = await s.findAll("#doc-rows .status-note");
          return notes.length === 1 && (await notes[0].text()).startsWith("Blocked");
        },
        "the upload is shown blocked",
        90000,
      );
      await signOut(s);

      await signIn(ctx, "dr.okafor");
      assert.equal(await (await s.find("#virus-alerts")).displayed(), false, "no notice for a clinician");
      await signOut(s);

      await signIn(ctx, "admin.byrne");
      const toggle = await s.waitFor("#virus-alerts-toggle");
      assert.match(await toggle.text(), /^\d+ documents? blocked by the virus scanner$/);
      await toggle.click();
      const open = `#virus-alerts-rows button[aria-label="Open patient ${patient.mrn}"]`;
      await s.waitFor(open);
      const rows = await s.execute(
        `return [...document.querySelectorAll("#virus-alerts-rows tr")].map((tr) => [...tr.cells].map((c) => c.textContent));`,
      );
      assert.ok(
        rows.some((r) => r[1] === patient.mrn && r[2] === "Lab" && r[3] === "infected-scan.jpg"),
        JSON.stringify(rows),
      );
      await ctx.shot("30-virus-alerts");
      await checkA11y(ctx, "the list of documents blocked by the virus scanner");
      await (await s.find(open)).click();
      await s.waitUntil(async () => (await (await s.find("#banner-nhs")).text()) === patient.nhsShown, "the patient opens");
      await signOut(s);
    },
  },
];
