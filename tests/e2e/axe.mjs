// WCAG 2.2 AA checked by an outside engine: axe-core (the UI's dev dependency) runs in the page
// the WebDriver session shows, on the desktop window and in Chromium alike. `checkA11y(ctx,
// screen)` fails with each violation's rule, the element (its selector) and the screen.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const axe = require("axe-core");

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA: the public sector's bar. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Loads axe into the page once (a page load or an app restart forgets it). */
async function inject(s) {
  if (await s.execute("return typeof window.axe === 'object' && typeof window.axe.run === 'function';")) return;
  // Through WebDriver, not a <script>: the page's CSP rightly refuses inline and foreign code.
  await s.execute(`${axe.source}\nreturn true;`);
}

/** The violations on what the page shows now, in plain data. */
async function run(s) {
  return s.executeAsync(
    `const [tags, done] = arguments;
     window.axe
       .run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
       .then(
         (r) => done({ violations: r.violations.map((v) => ({
           id: v.id,
           impact: v.impact,
           help: v.help,
           nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
         })) }),
         (e) => done({ error: String(e && e.stack || e) }),
       );`,
    [WCAG_TAGS],
  );
}

/** One line per element at fault: rule, impact, selector, what axe says to fix. */
export function describeViolations(violations) {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target}: ${v.help}${n.summary ? ` — ${n.summary.replace(/\s+/g, " ")}` : ""}`),
  );
}

/**
 * Runs axe on the screen shown (dialogs and overlays while open) and fails on any WCAG 2.x A or
 * AA violation, naming the screen and the platform.
 */
export async function checkA11y(ctx, screen) {
  const { s } = ctx;
  await inject(s);
  const result = await run(s);
  assert.ok(!result.error, `axe could not run on ${ctx.platform} screen "${screen}": ${result.error}`);
  const lines = describeViolations(result.violations);
  ctx.a11yScreens = (ctx.a11yScreens ?? 0) + 1;
  assert.equal(
    lines.length,
    0,
    `WCAG 2.2 AA violations on ${ctx.platform} screen "${screen}":\n  ${lines.join("\n  ")}`,
  );
}
