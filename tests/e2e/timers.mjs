// Timings the scenarios take in the page itself (for the closing note's figures; no test
// asserts on them).
/**
 * Times, in the page, from a user's action (an event on `trigger.css`, optionally one key) to
 * `until.count` elements matching `until.css` being displayed. No eval (the browser's CSP
 * forbids it): the condition is data. Read it with `readTimer`.
 */
export async function armTimer(s, name, trigger, until) {
  await s.execute(
    `const [name, trigger, until] = arguments;
     const timers = (window.__e2eTimers = window.__e2eTimers || {});
     const rec = (timers[name] = { start: null, end: null });
     const shown = (el) => !el.closest("[hidden]") && el.getClientRects().length > 0;
     const met = () => [...document.querySelectorAll(until.css)].filter(shown).length === (until.count || 1);
     let observer = null;
     let tick = null;
     const stop = () => { if (observer) observer.disconnect(); clearInterval(tick); };
     const check = () => {
       if (rec.start === null || rec.end !== null) return;
       if (met()) { rec.end = performance.now(); stop(); }
     };
     document.addEventListener(trigger.event, (e) => {
       if (rec.start !== null) return;
       if (trigger.key && e.key !== trigger.key) return;
       if (!(e.target instanceof Element) || !e.target.closest(trigger.css)) return;
       rec.start = performance.now();
       observer = new MutationObserver(check);
       observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
       tick = setInterval(check, 10);
       setTimeout(stop, 120000);
     }, true);`,
    [name, trigger, until],
  );
}

export async function readTimer(s, name) {
  let rec;
  await s.waitUntil(async () => {
    rec = await s.execute("return (window.__e2eTimers || {})[arguments[0]] || null;", [name]);
    return rec && rec.start !== null && rec.end !== null;
  }, `the ${name} timer stops`);
  return rec.end - rec.start;
}

/** Signs a demo user in with the form, timing the click on Sign in until the patient search
 * shows; resolves with the milliseconds. */
export async function timedSignIn(ctx, name) {
  const { s } = ctx;
  const u = ctx.sandbox.report.users.find((x) => x.username === name);
  await s.fill("#username", u.username);
  await s.fill("#password", u.password);
  await armTimer(s, "signin", { event: "click", css: "#signin-submit" }, { css: "#patient-view" });
  await (await s.find("#signin-submit")).click();
  await s.waitFor("#patient-view");
  return readTimer(s, "signin");
}
