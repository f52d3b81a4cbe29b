// Image inspection without decoding the image. A 10 MB image is a 13 MB Base64 string; decoding it
// to learn three numbers would make every validation cost what an upload costs. Base64 maps every
// 3 bytes to 4 characters, so any byte range can be decoded on its own: we decode only the bytes a
// header needs (PNG: 24 bytes; JPEG: 4 bytes per segment header up to the frame header) and the
// last group (to check the padding). Browser-safe: no Buffer, no `node:` imports.

export interface ImageInfo {
  /**
   * `url`: an absolute http(s) URL; `base64`: raw Base64; `data-url`: Base64 behind a
   * `data:...;base64,` prefix (which the API rejects; the fields below describe the part after
   * the comma); `invalid`: none of these (see `problem`).
   */
  kind: "url" | "base64" | "data-url" | "invalid";
  /** By the file's first bytes, not by any name. Set when the Base64 could be read. */
  format?: "png" | "jpeg" | "unknown";
  /** Decoded size in bytes, from the string's length and padding. */
  bytes?: number;
  width?: number;
  height?: number;
  /** The first bytes in hex (`89 50 4E 47`), to show what a file of unknown format starts with. */
  signature?: string;
  /**
   * Why a PNG or JPEG states no width and height: it ends before the header that holds them, or the
   * header is broken. Unset when the dimensions were read, and for other formats.
   */
  headerProblem?: string;
  /** Why the value is `invalid`, or why the Base64 of a `data-url` is. */
  problem?: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGITS = new Uint8Array(128).fill(64);
for (let i = 0; i < 64; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;
/** The contract's HttpUrl pattern. */
const URL_PATTERN = /^https?:\/\/[^\s/?#]+\S*$/;
const DATA_PREFIX = /^data:[^,]*;base64,/i;
/** Segment headers walked before giving up on a JPEG's size: real files have about 5 to 20. */
const MAX_JPEG_SEGMENTS = 1000;

/** Tells URL from Base64 and reads format, decoded size and dimensions from the header only. */
export function inspectImage(value: string): ImageInfo {
  if (typeof value !== "string") return { kind: "invalid", problem: "it is not a string" };
  if (URL_PATTERN.test(value)) return { kind: "url" };
  const prefix = DATA_PREFIX.exec(value);
  if (prefix) return { ...inspectBase64(value.slice(prefix[0].length)), kind: "data-url" };
  return inspectBase64(value);
}

/**
 * What we can know without reading everything: the length and padding (so the size), the
 * alphabet of every character we decode (header, segment headers, last group). A bad character
 * elsewhere in the middle is not seen; the server's decoder will reject it. Scanning 13 MB would
 * cost as much as decoding it, which is what this module exists to avoid.
 */
function inspectBase64(s: string): ImageInfo {
  if (s.length === 0) return { kind: "invalid", problem: "it is empty" };
  if (s.length % 4) {
    return { kind: "invalid", problem: `its length (${s.length}) is not a multiple of 4, as Base64 with padding is` };
  }
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const bytes = (s.length / 4) * 3 - pad;
  const read = (from: number, n: number) => decodeRange(s, pad, bytes, from, n);
  try {
    read(bytes - 1, 1);
    // 96 bytes = the first 128 characters: past column 64 and 76, where line-wrapped (PEM, MIME)
    // Base64 has its first line break, the most common way a Base64 string is not raw.
    const head = read(0, 96);
    const info: ImageInfo = {
      kind: "base64",
      format: "unknown",
      bytes,
      signature: [...head.subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" "),
    };
    if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
      info.format = "png";
      // IHDR is always the first chunk: width and height are bytes 16-23.
      if (head.length < 24) {
        info.headerProblem = `the PNG ends after ${head.length} bytes; a PNG states its width and height in its first 24`;
      } else if (String.fromCharCode(...head.subarray(12, 16)) !== "IHDR") {
        info.headerProblem = "the PNG does not start with its IHDR chunk, which every PNG does (it states the width and height)";
      } else {
        info.width = uint32(head, 16);
        info.height = uint32(head, 20);
      }
    } else if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
      info.format = "jpeg";
      const size = jpegSize(read, bytes);
      if ("problem" in size) {
        if (size.problem) info.headerProblem = size.problem;
      } else Object.assign(info, size);
    }
    return info;
  } catch (error) {
    return { kind: "invalid", problem: (error as Error).message };
  }
}

/**
 * Walks the JPEG's segments by their length fields, decoding only each 4-byte segment header, so
 * a 60 kB EXIF block or a 1 MB ICC profile before the frame header costs the same as none. Gives
 * the size, or why there is none: `problem` is empty when the walk gave up on a file that may be
 * fine (more segments than any real file has).
 */
function jpegSize(read: (from: number, n: number) => Uint8Array, size: number): { width: number; height: number } | { problem: string } {
  const truncated = { problem: `the JPEG ends after ${size} bytes, before the frame header that states its width and height` };
  let at = 2;
  for (let n = 0; n < MAX_JPEG_SEGMENTS; n++) {
    if (at + 4 > size) return truncated;
    const b = read(at, 9);
    if (b[0] !== 0xff) return { problem: `the JPEG has no segment marker at byte ${at}, before its frame header: the file is broken` };
    const marker = b[1]!;
    if (marker === 0xff)
      at += 1; // fill byte before a marker
    else if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8))
      at += 2; // markers without a length
    else if (marker === 0xd9 || marker === 0xda) {
      return { problem: "the JPEG's image data (or its end) comes before any frame header, which must state the width and height" };
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // Start of frame: length (2), precision (1), height (2), width (2).
      return b.length >= 9 ? { height: (b[5]! << 8) | b[6]!, width: (b[7]! << 8) | b[8]! } : truncated;
    } else at += 2 + ((b[2]! << 8) | b[3]!);
  }
  return { problem: "" };
}

const uint32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** Decodes bytes [from, from + n) of Base64 `s`, reading only the 4-character groups that hold them. */
function decodeRange(s: string, pad: number, size: number, from: number, n: number): Uint8Array {
  const end = Math.min(size, from + n);
  if (from >= end) return new Uint8Array(0);
  const first = Math.floor(from / 3);
  const last = Math.ceil(end / 3);
  const out = new Uint8Array((last - first) * 3);
  for (let group = first; group < last; group++) {
    let v = 0;
    for (let i = group * 4; i < group * 4 + 4; i++) {
      const c = s.charCodeAt(i);
      let digit = c < 128 ? DIGITS[c]! : 64;
      if (c === 61 && i >= s.length - pad) digit = 0; // "=" only as the final padding
      if (digit === 64) {
        throw new Error(`character ${i + 1} is ${JSON.stringify(s[i])}, which is not in the Base64 alphabet`);
      }
      v = (v << 6) | digit;
    }
    const o = (group - first) * 3;
    out[o] = v >> 16;
    out[o + 1] = v >> 8;
    out[o + 2] = v;
  }
  return out.subarray(from - first * 3, end - first * 3);
}

/**
 * The exact Base64 the API wants (standard alphabet, padded, no `data:` prefix) of a file's bytes:
 * a `Uint8Array`, an `ArrayBuffer`, or a `Blob`/`File` in browsers.
 */
export async function imageToBase64(input: Uint8Array | ArrayBuffer | Blob): Promise<string> {
  // Duck-typed rather than instanceof: a Blob or ArrayBuffer from another realm (iframe, worker,
  // test environment) must work too.
  const bytes = ArrayBuffer.isView(input)
    ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    : new Uint8Array(typeof (input as Blob).arrayBuffer === "function" ? await (input as Blob).arrayBuffer() : (input as ArrayBuffer));
  // Engines with Uint8Array.prototype.toBase64 (recent browsers) do it natively.
  const native = (bytes as { toBase64?: () => string }).toBase64;
  if (typeof native === "function") return native.call(bytes);
  // Otherwise btoa over 48 kB chunks: a multiple of 3 bytes, so the pieces join without padding
  // in between, and small enough for String.fromCharCode's argument limit.
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 49_152) {
    parts.push(btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + 49_152) as unknown as number[])));
  }
  return parts.join("");
}
