// The seven category tiles. Colour follows `has_documents`, decided by the core.
import type { Tile } from "../backend/types";
import { el } from "../shell/dom";

export function renderTiles(container: HTMLElement, tiles: Tile[], onSelect: (tile: Tile) => void): void {
  container.replaceChildren(
    ...tiles.map((tile) => {
      const button = el(
        "button",
        {
          className: `tile ${tile.has_documents ? "tile-filled" : "tile-empty"}`,
          attrs: {
            type: "button",
            "aria-label": tile.accessible_name,
            "data-category": tile.category,
            "data-count": String(tile.count),
          },
        },
        [
          el("span", { className: "tile-label", text: tile.label }),
          el("span", { className: "tile-count", text: String(tile.count) }),
          ...(tile.stamp_summary ? [el("span", { className: "tile-badge", text: tile.stamp_summary })] : []),
        ],
      );
      button.addEventListener("click", () => {
        for (const other of container.querySelectorAll("button.tile")) other.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        onSelect(tile);
      });
      button.setAttribute("aria-pressed", "false");
      return button;
    }),
  );
}
