// The log check itself (harness.mjs), without a sandbox: it must fail on what the tests seeded
// as well as on the sandbox's demo patients, and on whole identifiers only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertNoSeededIdentifier } from "./harness.mjs";

/** A sandbox as startSandbox() gives it, with a report of 60 demo identifiers. */
function sandbox(seeded) {
  const demo = Array.from({ length: 60 }, (_, i) => `1000${String(i).padStart(4, "0")}`);
  return { report: { seeded_identifiers: demo }, seeded };
}

test("the log check fails on a patient the tests seeded, not only on the sandbox's demo patients", () => {
  const log = "INFO opened record 61230001\n";
  assert.throws(() => assertNoSeededIdentifier(assert, log, sandbox(["61230001"]), "the log"), /names seeded identifier/);
  assertNoSeededIdentifier(assert, log, sandbox([]), "the log");
});

test("the log check fails on a demo patient's MRN, but not on a longer number that contains it", () => {
  assert.throws(() => assertNoSeededIdentifier(assert, "DEBUG mrn=10000001 done", sandbox([]), "the log"), /names seeded/);
  assertNoSeededIdentifier(assert, "DEBUG took 9100000012 ns", sandbox([]), "the log");
});
