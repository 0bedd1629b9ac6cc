// The first page of a TIFF scan as RGBA pixels, for the browser's JPEG variants: browsers (and
// WebKitGTK) cannot decode TIFF, so without this a TIFF uploaded from the browser would have no
// optimized image and could be viewed nowhere but macOS. UTIF.js (photopea) decodes it.
import * as UTIF from "utif";

export type Pixels = { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> };

/** Null when the file holds no image UTIF can read (the original still goes up, unchanged). */
export function tiffFirstPage(buffer: ArrayBuffer): Pixels | null {
  try {
    const [first] = UTIF.decode(buffer);
    if (!first) return null;
    UTIF.decodeImage(buffer, first);
    const { width, height } = first;
    if (!width || !height) return null;
    const rgba = UTIF.toRGBA8(first);
    if (rgba.length !== width * height * 4) return null;
    // A view of the decoded pixels, not a copy (an A4 scan is 35 MB of RGBA).
    return { width, height, rgba: new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength) };
  } catch {
    return null;
  }
}
