// The open record refreshes itself (see scenarios.mjs): a colleague's upload, made through the
// CLI while the user has the category open, appears within 5 s with no user action and without
// moving the user's focus; the processing worker's verdict then makes it openable.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bins, recordTiming } from "./harness.mjs";
import { findOwnPatient, ownPatient, signIn, signOut, user } from "./steps.mjs";

/** A one-page PDF with a line of text, its cross-reference offsets computed. */
function onePagePdf(text) {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    null,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const stream = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let body = "%PDF-1.4\n";
  const offsets = objects.map((o, i) => {
    const at = body.length;
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A colleague (ward staff) adds `name` to the patient's lab through the CLI: the same outbox
 * and server calls as the window, in its own keyring session. */
async function colleagueUploads(ctx, mrn, name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chartdesk-e2e-colleague-"));
  const file = path.join(dir, name);
  writeFileSync(file, onePagePdf("Colleague scan for the refresh test"));
  ctx.sandbox.seeded.push(name);
  const nurse = user(ctx, "nurse.hughes");
  const env = {
    ...ctx.sandbox.env,
    CHARTDESK_KEYCHAIN: "keyutils",
    CHARTDESK_PASSWORD: nurse.password,
    CHARTDESK_DATA_DIR: path.join(dir, "data"),
  };
  const args = ["session", "-", bins.cli, "upload", "--user", nurse.username, "--mrn", mrn, "--category", "lab", file];
  try {
    await promisify(execFile)("keyctl", args, { env, encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const openButton = (name) => `#doc-rows button[aria-label="Open ${name}"]`;

export const refreshScenarios = [
  {
    id: "open-record-refreshes",
    name: "a colleague's upload appears in the open list within 5 s without moving focus, and opens once the verdict arrives",
    async run(ctx) {
      const { s } = ctx;
      const patient = await ownPatient(ctx, ["lab"]);
      await signIn(ctx, "dr.okafor");
      await findOwnPatient(s, patient);
      await (await s.find('#tiles button[data-category="lab"]')).click();
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 1, "lab listed");
      const mine = openButton("lab-seeded.pdf");
      await s.waitUntil(async () => (await (await s.find(mine)).attr("disabled")) === null, "the seeded report opens");
      await s.execute(`document.querySelector(arguments[0]).focus();`, [mine]);

      await colleagueUploads(ctx, patient.mrn, "colleague-scan.pdf");
      const uploaded = Date.now();
      await s.waitUntil(async () => (await s.findAll("#doc-rows tr")).length === 2, "the colleague's upload is listed", 5000);
      const appeared = Date.now() - uploaded;
      assert.ok(appeared <= 5000, `listed after ${appeared} ms`);
      recordTiming(ctx.platform, "colleague_upload_listed_ms", appeared);
      const focused = await (await s.activeElement()).attr("aria-label");
      assert.equal(focused, "Open lab-seeded.pdf", "focus stays on the user's row");
      assert.equal(await (await s.find('#tiles button[data-category="lab"]')).attr("data-count"), "2");
      assert.match(await (await s.find("#banner-mrn")).text(), new RegExp(patient.mrn));

      // The worker's verdict lands in the manifest: the row turns openable by itself.
      await s.waitUntil(
        async () => (await (await s.find(openButton("colleague-scan.pdf"))).attr("disabled")) === null,
        "the verdict makes the colleague's upload openable",
        60000,
      );
      await ctx.shot("30-open-record-refreshed");
      await signOut(s);
    },
  },
];
