// Small DOM helpers shared by the views.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

export function showMessage(el: HTMLElement, message: string | null): void {
  el.textContent = message ?? "";
  el.hidden = !message;
}

/**
 * Shows (or, with null, clears) an error about `fields`: they are marked invalid while it shows.
 * Each field names the error in its `aria-describedby` (index.html), so a screen reader reads
 * the error with the field; the error's role="alert" announces it when it appears.
 */
export function showFieldError(error: HTMLElement, message: string | null, fields: HTMLElement[]): void {
  showMessage(error, message);
  for (const f of fields) {
    if (message) f.setAttribute("aria-invalid", "true");
    else f.removeAttribute("aria-invalid");
  }
}

/** Builds an element with text content only: data never goes through innerHTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  children: HTMLElement[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const c of children) node.appendChild(c);
  return node;
}
