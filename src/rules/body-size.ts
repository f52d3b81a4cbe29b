// The create's request body limit (the contract's `x-kirin-max-body-bytes`): a body over it is
// answered 413 after the whole upload, so it is reported before anything is sent. Base64 images make
// nearly all of a body's size; four 10 MB images are 56 MB, over the limit although each image
// keeps image-file-size.
import { requestLimits } from "../../generated/json-schemas.js";
import type { Rule } from "./shared.js";

export const MAX_BODY_BYTES = requestLimits.maxBodyBytes;

export const bodySizeRule: Rule = {
  id: "request-body-size",
  severity: "error",
  check({ params, report }) {
    const bytes = leastJsonBytes(params);
    if (bytes > MAX_BODY_BYTES) {
      report(
        "",
        `The request body is at least ${bytes.toLocaleString("en")} bytes (${mib(bytes)}) as sent; the API takes at most ` +
          `${MAX_BODY_BYTES.toLocaleString("en")} bytes (${mib(MAX_BODY_BYTES)}) and answers 413 to more. Send some images as URLs.`,
      );
    }
  },
};

/**
 * A lower bound of `value`'s size as JSON in UTF-8, counted without serialising it (a 13 MB image
 * is never copied): every UTF-16 unit of a string or key is at least one byte, and escapes only
 * add. Never above the true size, so a body the API takes is never reported.
 */
function leastJsonBytes(value: unknown): number {
  if (typeof value === "string") return value.length + 2;
  if (typeof value === "boolean") return value ? 4 : 5;
  if (typeof value === "number") return Number.isFinite(value) ? String(value).length : 4; // NaN is sent as null
  if (value === null) return 4;
  if (typeof value !== "object") return 0; // never sent as itself (undefined, a function, a bigint)
  let bytes = 2; // the brackets
  let members = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      bytes += leastJsonBytes(item);
      members++;
    }
  } else {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === "function") continue; // left out of the JSON
      bytes += key.length + 3 + leastJsonBytes(item); // "key":
      members++;
    }
  }
  return bytes + Math.max(0, members - 1); // the commas
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
