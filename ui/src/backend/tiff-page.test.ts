// A TIFF scan uploaded from the browser gets its variants too (issue 10 item 6): its first page
// is decoded here, since no browser decodes TIFF.
import { describe, expect, it } from "vitest";
import { tiffFirstPage } from "./tiff-page";

/** An uncompressed 8-bit greyscale TIFF, little-endian, one strip: what a ward scanner writes. */
function greyTiff(width: number, height: number, pixel: (x: number, y: number) => number): ArrayBuffer {
  const entries: [number, number, number][] = [
    [256, 3, width], // ImageWidth
    [257, 3, height], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // Photometric: black is zero
    [273, 4, 0], // StripOffsets (filled in below)
    [277, 3, 1], // SamplesPerPixel
    [278, 3, height], // RowsPerStrip
    [279, 4, width * height], // StripByteCounts
  ];
  const dataAt = 8 + 2 + entries.length * 12 + 4;
  const out = new DataView(new ArrayBuffer(dataAt + width * height));
  [0x49, 0x49, 0x2a, 0x00].forEach((b, i) => out.setUint8(i, b));
  out.setUint32(4, 8, true);
  out.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    out.setUint16(at, tag, true);
    out.setUint16(at + 2, type, true);
    out.setUint32(at + 4, 1, true);
    if (type === 3) out.setUint16(at + 8, value, true);
    else out.setUint32(at + 8, tag === 273 ? dataAt : value, true);
  });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.setUint8(dataAt + y * width + x, pixel(x, y));
  return out.buffer;
}

describe("the first page of a TIFF scan", () => {
  it("decodes to RGBA pixels of its size, grey as grey", () => {
    const page = tiffFirstPage(greyTiff(3, 2, (x, y) => (x === 0 && y === 0 ? 0 : 200)))!;
    expect([page.width, page.height]).toEqual([3, 2]);
    expect(page.rgba.length).toBe(3 * 2 * 4);
    expect([...page.rgba.slice(0, 4)]).toEqual([0, 0, 0, 255]);
    expect([...page.rgba.slice(4, 8)]).toEqual([200, 200, 200, 255]);
  });

  it("a file that is not a TIFF gives no page rather than an error", () => {
    expect(tiffFirstPage(new TextEncoder().encode("II*\0 but nothing after").buffer as ArrayBuffer)).toBeNull();
    expect(tiffFirstPage(new ArrayBuffer(0))).toBeNull();
  });
});
