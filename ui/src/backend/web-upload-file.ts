// What the browser works out about a file before any byte is sent: its type by content (as
// the window's core sniffs it) and its SHA-256 whole and per part (the server's part size). The
// original is all that is sent: the server's worker makes the previews. Limits, types and part
// plan are the server's (`/v1/client-config`).
import { sha256Hex } from "./web-http";
import type { ClientConfig, UiError } from "./types";

/** What the server's client config says about files: the limit, the accepted types and the
 * part plan (above the threshold a file goes up in parts of `part_size`, the last smaller). */
export type FilePolicy = Pick<ClientConfig, "max_upload_bytes" | "accepted_types" | "upload">;
const MiB = 1024 * 1024;

export type Prepared = {
  contentType: string;
  size: number;
  sha256: string;
  /** One hex SHA-256 per part, only above the multipart threshold. */
  partSha256: string[];
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
  };
}
