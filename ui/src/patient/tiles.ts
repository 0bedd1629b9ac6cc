// The seven category tiles. Colour follows `has_documents`, decided by the core.
//
// A tile is named by exactly the words it shows ("Lab 2 0 of 2 verified"), so a voice-control
// user who says what they see can press it (WCAG 2.5.3, label in name); the core's full sentence
// ("Lab, 2 documents, 0 of 2 verified") is its description, read after the name. The name is
// spelled out because engines differ in whether they put spaces between the tile's parts.
import type { Tile } from "../backend/types";
import { el } from "../shell/dom";

export function renderTiles(container: HTMLElement, tiles: Tile[], onSelect: (tile: Tile) => void): void {
  // A refresh (after a stamp or an upload) redraws the tiles: the open one stays pressed, and
  // a tile with focus keeps it.
  const pressed = container.querySelector<HTMLElement>('button.tile[aria-pressed="true"]')?.dataset.category;
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && container.contains(active) ? active.dataset.category : undefined;
  container.replaceChildren(
    ...tiles.map((tile) => {
      const descriptionId = `tile-description-${tile.category}`;
      const button = el(
        "button",
        {
          className: `tile ${tile.has_documents ? "tile-filled" : "tile-empty"}`,
          attrs: {
            type: "button",
            "aria-label": [tile.label, String(tile.count), ...(tile.stamp_summary ? [tile.stamp_summary] : [])].join(" "),
            "aria-describedby": descriptionId,
            "data-category": tile.category,
            "data-count": String(tile.count),
          },
        },
        [
          // The trailing spaces are not drawn (each part is a line of its own) but keep the
          // words apart for engines that read the text without layout (axe in WebKit).
          el("span", { className: "tile-label", text: `${tile.label} ` }),
          el("span", { className: "tile-count", text: `${String(tile.count)} ` }),
          ...(tile.stamp_summary ? [el("span", { className: "tile-badge", text: tile.stamp_summary })] : []),
          // Hidden, yet read as the description: a relation reads a hidden element it points to.
          el("span", { text: tile.accessible_name, attrs: { id: descriptionId, hidden: "" } }),
        ],
      );
      button.addEventListener("click", () => {
        for (const other of container.querySelectorAll("button.tile")) other.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        onSelect(tile);
      });
      button.setAttribute("aria-pressed", String(tile.category === pressed));
      return button;
    }),
  );
  if (focused) container.querySelector<HTMLElement>(`button.tile[data-category="${focused}"]`)?.focus();
}
