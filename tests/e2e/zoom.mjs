// Text resized to 200% (issue 27 item 4; WCAG 1.4.4): the patient screen and a document list,
// screenshotted for a person to look at (`*-zoom-200-*.png`), and checked in the page: every
// control can be scrolled into view and is not covered by anything else at its centre, and the
// page reflows instead of scrolling sideways.
//
// The browser is zoomed as its own zoom does it (the page laid out in half as many CSS pixels,
// drawn at twice the density: Chrome's device metrics through chromedriver). WebKitWebDriver
// has no zoom command: the window zooms its page with CSS zoom on the root, which lays the page
// out again at the larger size (screenshots) but leaves WebKit's geometry (element rectangles
// against hit-testing) in different scales, so the automatic check runs in the browser only.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { openDemoPatient, openLab } from "./steps.mjs";

const VIEWPORT = { width: 1280, height: 1024 };

async function setZoom(ctx, factor) {
  const { s } = ctx;
  if (ctx.platform === "browser") {
    const cdp = (cmd, params = {}) => s.cmd("POST", "/goog/cdp/execute", { cmd, params });
    if (factor === 1) await cdp("Emulation.clearDeviceMetricsOverride");
    else
      await cdp("Emulation.setDeviceMetricsOverride", {
        width: Math.round(VIEWPORT.width / factor),
        height: Math.round(VIEWPORT.height / factor),
        deviceScaleFactor: factor,
        mobile: false,
      });
  } else {
    await s.execute("document.documentElement.style.zoom = arguments[0] === 1 ? '' : String(arguments[0]);", [factor]);
  }
}

/** Controls that cannot be reached or are covered, each named, for the screen shown. */
function unreachableControls(s) {
  return s.execute(
    `const name = (e) => e.id ? "#" + e.id : (e.getAttribute("aria-label") || e.tagName.toLowerCase() + " \\"" + (e.textContent || "").trim().slice(0, 30) + "\\"");
     const controls = [...document.querySelectorAll("button, input, select, textarea, summary, a[href], [tabindex]")].filter(
       (e) => !e.closest("[hidden]") && !e.closest("[inert]") && e.type !== "file" && e.getClientRects().length > 0 &&
         getComputedStyle(e).visibility !== "hidden");
     const problems = [];
     for (const e of controls) {
       e.scrollIntoView({ block: "center", inline: "center" });
       const r = e.getBoundingClientRect();
       const x = r.left + r.width / 2;
       const y = r.top + r.height / 2;
       if (r.width < 1 || r.height < 1 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) {
         problems.push(name(e) + " cannot be scrolled into view");
         continue;
       }
       const hit = document.elementFromPoint(x, y);
       if (!hit || !(hit === e || e.contains(hit))) problems.push(name(e) + " is covered by " + (hit ? name(hit) : "nothing"));
       if (e.tagName === "BUTTON" && getComputedStyle(e).overflow !== "visible" && e.scrollWidth > e.clientWidth + 1)
         problems.push(name(e) + " clips its text");
     }
     window.scrollTo(0, 0);
     // The page reflows: only a wide table scrolls sideways, in its own region.
     const width = document.documentElement.clientWidth;
     if (document.documentElement.scrollWidth > width + 1) {
       const wide = [...document.body.querySelectorAll("*")].filter((e) => !e.closest("[hidden]") &&
         e.getBoundingClientRect().right > width + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1));
       problems.push("the page scrolls sideways (" + document.documentElement.scrollWidth + " px wide in " + width + "): " +
         wide.slice(0, 5).map((e) => name(e) + "." + e.className).join(", "));
     }
     return { checked: controls.length, problems };`
  );
}

async function assertAllReachable(ctx, screen) {
  const { checked, problems } = await unreachableControls(ctx.s);
  assert.ok(checked > 5, `controls were found on ${screen} (${checked})`);
  assert.deepEqual(problems, [], `at 200% on ${ctx.platform}, ${screen}: ${problems.join("; ")}`);
}

export const zoomScenario = {
  id: "text-200-percent",
  name: "text at 200%: every control on the patient screen and a document list stays reachable and uncovered",
  async run(ctx) {
    const { s } = ctx;
    await openDemoPatient(ctx);
    await openLab(s);
    await setZoom(ctx, 2);
    try {
      await s.execute("window.scrollTo(0, 0);");
      await ctx.shot("17-zoom-200-patient");
      if (ctx.platform === "browser") await assertAllReachable(ctx, "the patient screen with the lab list");
      await s.execute(
        `document.querySelector(".table-scroll").scrollLeft = 0;
         document.getElementById("doc-rows").scrollIntoView({ block: "center" });`,
      );
      await ctx.shot("17b-zoom-200-list");
      await checkA11y(ctx, "patient screen and lab list at 200%");
    } finally {
      // Whatever failed, back to 100% and signed out (the next scenario's reset would also).
      await setZoom(ctx, 1);
      await (await s.find("#sign-out")).click();
      await s.waitFor("#signin-view");
    }
  },
};
