// While an overlay (the document viewer, the lock screen) is open, everything beside it is
// inert: Tab cannot take focus behind it and a screen reader reads only it. Overlays can stack
// (the lock over the viewer), so each element counts the overlays holding it inert.
const holds = new WeakMap<Element, number>();

function hold(e: Element): void {
  holds.set(e, (holds.get(e) ?? 0) + 1);
  e.setAttribute("inert", "");
}

function release(e: Element): void {
  const left = (holds.get(e) ?? 1) - 1;
  if (left > 0) return void holds.set(e, left);
  holds.delete(e);
  e.removeAttribute("inert");
}

/**
 * Makes every element beside `overlay` and beside each of its ancestors inert, except those in
 * `above` (what may open over it). Returns the function that undoes exactly this.
 */
export function inertOutside(overlay: Element, above: Element[] = []): () => void {
  const held: Element[] = [];
  for (let node: Element | null = overlay; node && node !== document.body; node = node.parentElement) {
    for (const sibling of Array.from(node.parentElement?.children ?? [])) {
      if (sibling === node || above.includes(sibling) || sibling.tagName === "SCRIPT") continue;
      hold(sibling);
      held.push(sibling);
    }
  }
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    for (const e of held) release(e);
  };
}
