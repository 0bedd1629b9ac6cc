// WebKit (WebKitGTK 2.50 in the Linux window, Safari 26) cannot async-iterate a ReadableStream,
// and pdf.js reads a page's text with `for await (… of stream)`: "undefined is not a function
// (near '...i of e...')", and find then has no text. Neither pdf.js build polyfills it, so this
// adds `values()` and `[Symbol.asyncIterator]` where missing, as the Streams standard has them.

type Iterable = { values?: unknown; [Symbol.asyncIterator]?: unknown };

export function installStreamIteration(proto: object = ReadableStream.prototype): void {
  const target = proto as Iterable;
  if (typeof target[Symbol.asyncIterator] === "function") return;
  async function* values<R>(this: ReadableStream<R>, options?: { preventCancel?: boolean }) {
    const reader = this.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // Left early (break, throw): the standard cancels the stream unless told not to.
      if (!finished && !options?.preventCancel) await reader.cancel();
      reader.releaseLock();
    }
  }
  for (const name of ["values", Symbol.asyncIterator] as const) {
    Object.defineProperty(target, name, { value: values, writable: true, configurable: true });
  }
}
