// The pages of an image the server made previews of (every page of a TIFF scan): how many the
// viewer pages through, and what it says. A PDF keeps the PDF viewer's own pages.
import type { DocumentRow } from "../backend/types";

/** Pages with a 1600 px preview: a TIFF's every page once the server counted them; 1 for
 * other images; 0 when there is no preview (yet). */
export function previewPages(row: DocumentRow): number {
  if (row.content_type === "application/pdf" || !row.has_optimized) return 0;
  return Math.max(1, row.pages ?? 1);
}

export function pageWords(page: number, count: number): string {
  return `Page ${page} of ${count}`;
}

/** The server has not made this image's preview yet (the list says what it is doing). */
export function previewPending(row: DocumentRow): boolean {
  return row.content_type !== "application/pdf" && !row.has_optimized && row.status_note !== undefined;
}

export const NO_PREVIEW_YET = "No preview yet: the server is still preparing it.";
