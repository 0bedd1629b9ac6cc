// What the browser works out about a file before any byte is sent: its type by content (as
// the window's core sniffs it), its SHA-256 whole and per part (the server's part size), and the
// JPEG variants of an image (1600 px and 320 px wide, quality 0.8, never upscaled), as the
// desktop makes. Limits, types and part plan are the server's (`/v1/client-config`).
import { sha256Hex } from "./web-http";
import type { ClientConfig, UiError, VariantKind } from "./types";
import { tiffFirstPage } from "./tiff-page";

/** What the server's client config says about files: the limit, the accepted types and the
 * part plan (above the threshold a file goes up in parts of `part_size`, the last smaller). */
export type FilePolicy = Pick<ClientConfig, "max_upload_bytes" | "accepted_types" | "upload">;
const MiB = 1024 * 1024;
const OPTIMIZED_WIDTH = 1600;
const THUMB_WIDTH = 320;
const QUALITY = 0.8;

export type Variant = { kind: VariantKind; blob: Blob; size: number; sha256: string };

export type Prepared = {
  contentType: string;
  size: number;
  sha256: string;
  /** One hex SHA-256 per part, only above the multipart threshold. */
  partSha256: string[];
  variants: Variant[];
};

const starts = (head: Uint8Array, magic: number[], at = 0) => magic.every((b, i) => head[at + i] === b);

/** The accepted type the first bytes show (magic bytes, never the name), as the window's
 * `sniff`; null for anything else. A Canon raw file is TIFF-shaped but not a TIFF. */
export function sniff(head: Uint8Array): string | null {
  if (starts(head, [0x25, 0x50, 0x44, 0x46])) return "application/pdf";
  if (starts(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  const cr2 = starts(head, [0x43, 0x52], 8);
  if ((starts(head, [0x49, 0x49, 0x2a, 0x00]) || starts(head, [0x4d, 0x4d, 0x00, 0x2a])) && !cr2) return "image/tiff";
  return null;
}

function refusal(message: string): UiError {
  return { code: "invalid_input", message };
}

/** Checks and hashes the file; refuses (with the window's words) what cannot be added. */
export async function prepare(fileName: string, file: Blob, policy: FilePolicy): Promise<Prepared> {
  if (file.size === 0) throw refusal(`${fileName}: the file is empty`);
  if (file.size > policy.max_upload_bytes) {
    const limit = Math.floor(policy.max_upload_bytes / MiB);
    throw refusal(`${fileName}: the file is ${(file.size / MiB).toFixed(1)} MiB; the limit is ${limit} MiB`);
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    throw refusal(`${fileName}: cannot read the file (${String(e)})`);
  }
  const contentType = sniff(bytes.subarray(0, 16));
  if (!contentType || !policy.accepted_types.some((t) => t.content_type === contentType)) {
    throw refusal(`${fileName}: only PDF, JPEG, PNG and TIFF files can be added (checked by content, not name)`);
  }
  const partSha256: string[] = [];
  const { multipart_threshold: threshold, part_size: partSize } = policy.upload;
  if (bytes.length > threshold) {
    for (let at = 0; at < bytes.length; at += partSize) {
      partSha256.push(await sha256Hex(bytes.subarray(at, Math.min(at + partSize, bytes.length))));
    }
  }
  return {
    contentType,
    size: bytes.length,
    sha256: await sha256Hex(bytes),
    partSha256,
    variants: await variantsOf(file, contentType, threshold),
  };
}

/** JPEG, PNG and TIFF (its first page, decoded here: browsers cannot); none when the image
 * does not decode here: the original still goes up, and the list then shows a type badge. */
async function variantsOf(file: Blob, contentType: string, maxSize: number): Promise<Variant[]> {
  if (!["image/jpeg", "image/png", "image/tiff"].includes(contentType)) return [];
  if (typeof createImageBitmap !== "function") return [];
  try {
    const bitmap = await bitmapOf(file, contentType);
    try {
      const optimized = draw(bitmap, bitmap.width, bitmap.height, OPTIMIZED_WIDTH);
      // The thumbnail is drawn from the optimized image, as the desktop does.
      const thumb = draw(optimized, optimized.width, optimized.height, THUMB_WIDTH);
      const made = await Promise.all([variant("optimized", optimized), variant("thumb", thumb)]);
      return made.every((v) => v.size > 0 && v.size <= maxSize) ? made : [];
    } finally {
      bitmap.close();
    }
  } catch {
    return [];
  }
}

/** The image to draw the variants from; the camera's orientation applied, as the desktop does. */
async function bitmapOf(file: Blob, contentType: string): Promise<ImageBitmap> {
  if (contentType !== "image/tiff") return createImageBitmap(file, { imageOrientation: "from-image" });
  const page = tiffFirstPage(await file.arrayBuffer());
  if (!page) throw new Error("not a TIFF this page can read");
  return createImageBitmap(new ImageData(page.rgba, page.width, page.height));
}

type Canvas = HTMLCanvasElement | OffscreenCanvas;

function draw(source: CanvasImageSource, width: number, height: number, maxWidth: number): Canvas {
  const w = Math.min(width, maxWidth);
  const h = Math.max(1, Math.round((height * w) / width));
  const canvas: Canvas =
    typeof OffscreenCanvas === "function" ? new OffscreenCanvas(w, h) : Object.assign(document.createElement("canvas"), { width: w, height: h });
  const context = canvas.getContext("2d") as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new Error("no 2d canvas");
  // JPEG has no transparency: a transparent PNG scan shows on white, not black.
  context.fillStyle = "#fff";
  context.fillRect(0, 0, w, h);
  context.imageSmoothingQuality = "high";
  context.drawImage(source, 0, 0, w, h);
  return canvas;
}

async function variant(kind: VariantKind, canvas: Canvas): Promise<Variant> {
  const blob =
    canvas instanceof HTMLCanvasElement
      ? await new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("no jpeg"))), "image/jpeg", QUALITY),
        )
      : await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  return { kind, blob, size: blob.size, sha256: await sha256Hex(await blob.arrayBuffer()) };
}
