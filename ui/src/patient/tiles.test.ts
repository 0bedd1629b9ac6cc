// What assistive technology makes of a tile: named by its visible text (voice control presses
// what the user says they see), described by the core's sentence with counts and stamps.
import { beforeEach, describe, expect, it } from "vitest";
import type { Tile } from "../backend/types";
import { renderTiles } from "./tiles";

const lab: Tile = {
  category: "lab",
  label: "Lab",
  count: 2,
  has_documents: true,
  accessible_name: "Lab, 2 documents, 0 of 2 verified",
  stamp_summary: "0 of 2 verified",
};
const intraop: Tile = {
  category: "intraop",
  label: "Intraop",
  count: 0,
  has_documents: false,
  accessible_name: "Intraop, 0 documents",
  stamp_summary: null,
};

/** The words a tile shows: its content, less what is hidden. */
function visibleWords(button: HTMLElement): string {
  return [...button.children]
    .filter((c) => !(c as HTMLElement).hidden)
    .map((c) => c.textContent?.trim())
    .join(" ");
}

function description(button: HTMLElement): string {
  const ids = (button.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
}

describe("tiles", () => {
  let container: HTMLElement;
  beforeEach(() => {
    document.body.innerHTML = '<div id="tiles"></div>';
    container = document.getElementById("tiles")!;
    renderTiles(container, [lab, intraop], () => undefined);
  });

  const tile = (category: string) => container.querySelector<HTMLButtonElement>(`button[data-category="${category}"]`)!;

  it("names each tile by exactly the words it shows, so the name holds its visible label (WCAG 2.5.3)", () => {
    expect(tile("lab").getAttribute("aria-label")).toBe("Lab 2 0 of 2 verified");
    expect(tile("intraop").getAttribute("aria-label")).toBe("Intraop 0");
    for (const t of [tile("lab"), tile("intraop")]) expect(t.getAttribute("aria-label")).toBe(visibleWords(t));
  });

  it("describes each tile with the core's sentence: documents counted and stamps", () => {
    expect(description(tile("lab"))).toBe("Lab, 2 documents, 0 of 2 verified");
    expect(description(tile("intraop"))).toBe("Intraop, 0 documents");
  });

  it("says which tile is open (pressed) once chosen", () => {
    expect(tile("lab").getAttribute("aria-pressed")).toBe("false");
    tile("lab").click();
    expect(tile("lab").getAttribute("aria-pressed")).toBe("true");
    expect(tile("intraop").getAttribute("aria-pressed")).toBe("false");
  });
});

describe("tiles redrawn after a change (a stamp, an upload)", () => {
  it("keep the open tile pressed and give focus back to the tile that had it", () => {
    document.body.innerHTML = '<div id="tiles"></div>';
    const container = document.getElementById("tiles")!;
    renderTiles(container, [lab, intraop], () => undefined);
    const labTile = () => container.querySelector<HTMLButtonElement>('button[data-category="lab"]')!;
    labTile().click();
    labTile().focus();
    renderTiles(container, [{ ...lab, stamp_summary: "1 of 2 verified" }, intraop], () => undefined);
    expect(labTile().getAttribute("aria-pressed")).toBe("true");
    expect(document.activeElement).toBe(labTile());
    expect(labTile().textContent).toContain("1 of 2 verified");
  });
});

describe("a tile's text read without layout", () => {
  it("keeps its words apart, so engines that ignore layout read the same words as the name", () => {
    document.body.innerHTML = '<div id="tiles"></div>';
    const container = document.getElementById("tiles")!;
    renderTiles(container, [lab], () => undefined);
    const button = container.querySelector<HTMLButtonElement>("button.tile")!;
    const text = [...button.children].filter((c) => !(c as HTMLElement).hidden).map((c) => c.textContent).join("");
    expect(text.replace(/\s+/g, " ").trim()).toBe(button.getAttribute("aria-label"));
  });
});
