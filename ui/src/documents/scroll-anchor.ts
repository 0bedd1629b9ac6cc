// Keeps the user's place in the document list across a redraw: the row at the top of the view
// stays there when rows are added above it (a colleague's upload, newest first).
import { byId } from "../shell/dom";

/** The first row in view and how far down the scroller it sits; the returned function puts
 * that row back at the same place after a redraw (rows added above it move nothing); a list
 * scrolled to its top stays there. */
export function scrollAnchor(): () => void {
  const scroller = document.querySelector<HTMLElement>("#category-view .table-scroll");
  if (!scroller) return () => undefined;
  const top = scroller.scrollTop;
  // At the top, new rows show where they belong (they are announced too).
  if (top === 0) return () => undefined;
  const trs = Array.from(byId("doc-rows").querySelectorAll<HTMLElement>("tr"));
  const first = trs.find((tr) => tr.offsetTop + tr.offsetHeight > top);
  const id = first?.dataset.docId;
  const offset = first ? first.offsetTop - top : 0;
  return () => {
    const again = id ? Array.from(byId("doc-rows").querySelectorAll<HTMLElement>("tr")).find((tr) => tr.dataset.docId === id) : undefined;
    scroller.scrollTop = again ? again.offsetTop - offset : top;
  };
}
