// Focus never goes behind an overlay: what is beside it is inert while it is open, and stacked
// overlays (the lock over the viewer) each keep their hold.
import { beforeEach, describe, expect, it } from "vitest";
import { byId } from "./dom";
import { inertOutside } from "./inert";

beforeEach(() => {
  document.body.innerHTML = `
    <header id="top"><button>Sign out</button></header>
    <main id="main"><section id="record"></section><div id="viewer"></div></main>
    <div id="lock"></div>
    <footer id="foot"></footer>`;
});

const inert = (id: string) => byId(id).hasAttribute("inert");

describe("an overlay makes what is beside it inert", () => {
  it("holds everything beside the viewer and its ancestors, but not what may open over it", () => {
    const undo = inertOutside(byId("viewer"), [byId("lock")]);
    expect(["top", "record", "foot"].map(inert)).toEqual([true, true, true]);
    expect(["viewer", "main", "lock"].map(inert)).toEqual([false, false, false]);
    undo();
    expect(["top", "record", "foot"].map(inert)).toEqual([false, false, false]);
  });

  it("the lock over the viewer: closing one keeps what the other still holds inert", () => {
    const closeViewer = inertOutside(byId("viewer"), [byId("lock")]);
    const unlock = inertOutside(byId("lock"));
    expect(["top", "main", "foot", "record"].map(inert)).toEqual([true, true, true, true]);
    unlock();
    expect(inert("main")).toBe(false);
    expect(inert("top")).toBe(true);
    closeViewer();
    closeViewer();
    expect(inert("top")).toBe(false);
  });
});
