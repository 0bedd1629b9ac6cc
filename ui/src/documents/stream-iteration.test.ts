import { describe, expect, it } from "vitest";
import { installStreamIteration } from "./stream-iteration";

/** A ReadableStream class without async iteration, as in WebKit. */
function webkitLikeStream() {
  class Bare<R> extends ReadableStream<R> {}
  for (const name of ["values", Symbol.asyncIterator]) {
    Object.defineProperty(Bare.prototype, name, { value: undefined, writable: true, configurable: true });
  }
  return Bare;
}

const chunks = (cancelled: string[] = []) => ({
  start(c: ReadableStreamDefaultController<number>) {
    c.enqueue(1);
    c.enqueue(2);
    c.enqueue(3);
    c.close();
  },
  cancel: () => void cancelled.push("cancelled"),
});

describe("ReadableStream async iteration for WebKit", () => {
  it("a stream without async iteration can be read with for await once installed", async () => {
    const Bare = webkitLikeStream();
    installStreamIteration(Bare.prototype);
    const seen: number[] = [];
    const stream = new Bare(chunks());
    for await (const n of stream as unknown as AsyncIterable<number>) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
    expect(stream.locked).toBe(false);
  });

  it("leaving the loop early cancels the stream and releases it", async () => {
    const Bare = webkitLikeStream();
    installStreamIteration(Bare.prototype);
    const cancelled: string[] = [];
    const stream = new Bare(chunks(cancelled));
    for await (const n of stream as unknown as AsyncIterable<number>) if (n === 1) break;
    expect(cancelled).toEqual(["cancelled"]);
    expect(stream.locked).toBe(false);
  });

  it("a native implementation is left as it is", () => {
    const native = (ReadableStream.prototype as unknown as Record<symbol, unknown>)[Symbol.asyncIterator];
    expect(typeof native).toBe("function");
    installStreamIteration();
    expect((ReadableStream.prototype as unknown as Record<symbol, unknown>)[Symbol.asyncIterator]).toBe(native);
  });
});
