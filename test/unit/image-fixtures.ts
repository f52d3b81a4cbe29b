// Real test images, made here rather than stored: PNGs a decoder accepts (zlib-compressed
// grayscale rows, CRCs), and JPEG headers built byte by byte with large EXIF / ICC blocks before
// the frame header, which is where header readers go wrong.
import { crc32, deflateSync } from "node:zlib";

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = new Uint8Array([...ascii(type), ...data]);
  const out = new Uint8Array(12 + data.length);
  out.set(u32(data.length), 0);
  out.set(body, 4);
  out.set(u32(crc32(body)), 8 + data.length);
  return out;
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

/**
 * A valid 8-bit grayscale PNG of `width` x `height`. With `size`, a `tEXt` comment chunk pads the
 * file to exactly that many bytes (how we make 100 kB to 11 MB files cheaply).
 */
export function png(width: number, height: number, size?: number): Uint8Array {
  const rows = new Uint8Array((width + 1) * height); // filter byte 0 + one gray byte per pixel, all black
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", new Uint8Array([...u32(width), ...u32(height), 8, 0, 0, 0, 0])),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const bare = parts.reduce((n, p) => n + p.length, 0);
  if (size !== undefined) {
    const fill = size - bare - 12;
    if (fill < 8) throw new Error(`a ${width}x${height} PNG needs more than ${size} bytes`);
    const text = new Uint8Array(fill).fill(0x61);
    text.set([...ascii("Comment"), 0]);
    parts.splice(3, 0, chunk("tEXt", text));
  }
  return concat(parts);
}

const segment = (marker: number, payload: number[] | Uint8Array) =>
  new Uint8Array([0xff, marker, ...u32(payload.length + 2).slice(2), ...payload]);

/**
 * A baseline JPEG header: SOI, JFIF, an EXIF block of `exifBytes`, optionally `iccBytes` of ICC
 * profile split into APP2 segments as real files do (each at most 64 kB), DQT, SOF0 with the size,
 * DHT, SOS and a few bytes of scan data, EOI.
 */
export function jpeg(width: number, height: number, { exifBytes = 0, iccBytes = 0, progressive = false } = {}): Uint8Array {
  const parts = [new Uint8Array([0xff, 0xd8]), segment(0xe0, [...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])];
  if (exifBytes) {
    const exif = new Uint8Array(exifBytes);
    exif.set([...ascii("Exif"), 0, 0, ...ascii("MM"), 0, 42]);
    parts.push(segment(0xe1, exif));
  }
  for (let left = iccBytes; left > 0; left -= 60_000) {
    const icc = new Uint8Array(Math.min(left, 60_000) + 14);
    icc.set([...ascii("ICC_PROFILE"), 0]);
    parts.push(segment(0xe2, icc));
  }
  parts.push(
    segment(0xdb, [0, ...new Array(64).fill(1)]),
    segment(progressive ? 0xc2 : 0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]),
    segment(0xc4, [0, ...new Array(16).fill(0), 0]),
    segment(0xda, [1, 1, 0, 0, 63, 0]),
    new Uint8Array([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]),
  );
  return concat(parts);
}

/** A GIF header (6-byte signature, then width and height little-endian): a real image, wrong format. */
export const gif = (width: number, height: number) =>
  new Uint8Array([...ascii("GIF89a"), width & 255, width >> 8, height & 255, height >> 8, 0, 0, 0, 0x3b]);

export const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
