// The break-glass prompt: a restricted record opens only once the user says why. The reasons
// come from the core; the core (and the records server) refuse without one and record it.
import { backend, type StatedReason } from "../backend/api";
import type { BreakGlassChoice } from "../backend/types";
import { byId, el, showFieldError } from "../shell/dom";

/** The reasons offered, asked for once: the same list for every patient. */
const asked: { choices: BreakGlassChoice[] | null } = { choices: null };

/** Asks for a reason; `null` when the user cancels. */
export async function askBreakGlassReason(): Promise<StatedReason | null> {
  // eslint-disable-next-line no-restricted-syntax -- the same list for every patient; the search's scope waits for the prompt
  const choices = (asked.choices ??= await backend.breakGlassReasons());
  const dialog = byId<HTMLDialogElement>("break-glass-dialog");
  const form = byId<HTMLFormElement>("break-glass-form");
  const list = byId("break-glass-reasons");
  const detail = byId<HTMLTextAreaElement>("break-glass-detail");
  const error = byId("break-glass-error");
  list.replaceChildren(
    ...choices.map((c, i) => {
      const input = el("input", { attrs: { type: "radio", name: "break-glass-reason", value: c.reason, id: `bg-${c.reason}` } });
      if (i === 0) input.checked = true;
      return el("div", { className: "radio" }, [input, el("label", { text: c.label, attrs: { for: `bg-${c.reason}` } })]);
    }),
  );
  detail.value = "";
  showFieldError(error, null, [detail]);
  // Not every web view gives focus back when a modal dialog closes: done here.
  const returnFocus = document.activeElement as HTMLElement | null;
  dialog.showModal();
  list.querySelector<HTMLInputElement>("input")?.focus();
  return new Promise((resolve) => {
    const finish = (answer: StatedReason | null) => {
      form.removeEventListener("submit", onSubmit);
      byId("break-glass-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      returnFocus?.focus();
      resolve(answer);
    };
    const onSubmit = (event: Event) => {
      event.preventDefault();
      const picked = list.querySelector<HTMLInputElement>("input:checked");
      if (!picked) return;
      const reason = picked.value as StatedReason["reason"];
      if (reason === "other" && !detail.value.trim()) {
        showFieldError(error, "Say why you are opening this restricted record (a few words)", [detail]);
        detail.focus();
        return;
      }
      finish({ reason, detail: detail.value });
    };
    const onCancel = (event: Event) => {
      event.preventDefault();
      finish(null);
    };
    form.addEventListener("submit", onSubmit);
    byId("break-glass-cancel").addEventListener("click", onCancel);
    // Esc closes a modal dialog with a "cancel" event.
    dialog.addEventListener("cancel", onCancel);
  });
}
