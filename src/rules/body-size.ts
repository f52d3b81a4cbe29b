// The create's request body limit (the contract's `x-kirin-max-body-bytes`): a body over it is
// answered 413 after the whole upload, so it is reported before anything is sent. Base64 images make
// nearly all of a body's size; four 10 MB images are 56 MB, over the limit although each image
// keeps image-file-size.
import { requestLimits } from "../../generated/validators.js";
import type { Rule } from "./shared.js";

export const MAX_BODY_BYTES = requestLimits.maxBodyBytes;
/** Strings longer than this are counted rather than serialised: a 13 MB image is never copied. */
const COUNTED = 1024;

export const bodySizeRule: Rule = {
  id: "request-body-size",
  severity: "error",
  check({ params, report }) {
    const bytes = leastBodyBytes(params);
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
 * A lower bound of the sent body's size in bytes: the params as JSON, with each long string counted
 * by its length (one byte at least per UTF-16 unit; escapes only add). Never above the true size,
 * so a body the API takes is never reported.
 */
function leastBodyBytes(params: unknown): number {
  let counted = 0;
  const rest = JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value !== "string" || value.length <= COUNTED) return value;
    counted += value.length;
    return "";
  });
  return counted + utf8Bytes(rest ?? "");
}

function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4; // a surrogate pair: one code point of 4 bytes
      i++;
    } else n += 3;
  }
  return n;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
