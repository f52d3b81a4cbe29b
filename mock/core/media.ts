// The sample videos a completed task points at: one small H.264 MP4 per aspect ratio, held as
// base64 (media/samples.ts) so that the core serves them with no file system, in a browser too.
// Served with byte ranges, because browsers seek with them.
import type { MockAnswer, OwnedBytes } from "./errors.js";
import { SAMPLES_BASE64 } from "./media/samples.js";
import type { AspectRatio } from "./tasks.js";

const decoded = new Map<AspectRatio, OwnedBytes>();

/** The sample video for an aspect ratio, decoded once. */
export function sampleVideo(ratio: AspectRatio): OwnedBytes {
  let bytes = decoded.get(ratio);
  if (!bytes) {
    const text = atob(SAMPLES_BASE64[ratio]);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    decoded.set(ratio, bytes);
  }
  return bytes;
}

/**
 * A response for `bytes` under an optional `Range` header. Only a single `bytes=` range is
 * honoured; RFC 9110 (14.2) says a server MAY ignore a Range it cannot or will not satisfy as
 * written, so anything else (`bytes=-`, several ranges, other units) gets the whole file with 200.
 * A well-formed range that starts past the end gets 416.
 */
export function rangeAnswer(bytes: OwnedBytes, range: string | null, headers: Record<string, string>, head: boolean): MockAnswer {
  const base = { ...headers, "accept-ranges": "bytes" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(range?.trim() ?? "");
  const whole = (): MockAnswer => ({
    status: 200,
    headers: { ...base, "content-length": String(bytes.length) },
    body: head ? null : bytes,
  });
  if (!match || (match[1] === "" && match[2] === "")) return whole();
  const size = bytes.length;
  let start: number;
  let end: number;
  if (match[1] === "") {
    // bytes=-N: the last N bytes
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== "" && Number(match[2]) < start) return whole(); // last < first: invalid, ignored
  }
  if (start >= size || (match[1] === "" && Number(match[2]) === 0)) {
    return { status: 416, headers: { ...base, "content-range": `bytes */${size}` }, body: null };
  }
  const part = bytes.subarray(start, end + 1);
  return {
    status: 206,
    headers: { ...base, "content-range": `bytes ${start}-${end}/${size}`, "content-length": String(part.length) },
    body: head ? null : part,
  };
}
