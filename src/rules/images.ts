// Image rules: what an image string must be, and what its bytes must be. The schema only knows an
// image is a non-empty string; everything here needs the (header) bytes, read by inspectImage.
import { inspectImage } from "../image.js";
import { fieldName, type ImageRef, isObject, list, type Model, type Params, type Rule } from "./shared.js";

/**
 * "10 MB" read as 10 MiB, 10 * 1024 * 1024 bytes: the larger of the two readings, so that we never
 * reject an image the API accepts; a file between 10,000,000 and 10,485,760 bytes is left to the server.
 */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MIN_SIDE = 300;
/**
 * The most pixels (width x height) an image may have. The API states no upper bound; this is the
 * line past which Pillow, the most common image library on servers, refuses to open an image by
 * default (its decompression-bomb limit, twice its 89,478,485-pixel warning), and the most
 * permissive common default: ImageMagick's stops at 128 megapixels. Decoded as RGBA such an image
 * takes 716 MB; a 100,000 x 100,000 PNG header (10 billion pixels) once passed unnoticed.
 */
export const MAX_IMAGE_PIXELS = 178_956_970;

/** Every image string of the params, with its header read once. */
export function imageRefs(model: Model, p: Params): ImageRef[] {
  const refs: ImageRef[] = [];
  const add = (path: string, value: unknown, ratioLimited: boolean) => {
    if (typeof value === "string" && value) refs.push({ path, info: inspectImage(value), ratioLimited });
  };
  if (model === "kirin_v3_i2v") {
    add("/image", p.image, true);
    add("/image_tail", p.image_tail, false); // the seed: "image_tail: no aspect ratio restriction"
  } else {
    list(p.image_list).forEach((item, i) => isObject(item) && add(`/image_list/${i}/image_url`, item.image_url, true));
  }
  return refs;
}

const isBase64 = (r: ImageRef) => r.info.kind === "base64" || r.info.kind === "data-url";
/** Images whose bytes could be read: the byte rules speak only about these. */
const decoded = (images: ImageRef[]) => images.filter((r) => r.info.format && !r.info.problem);
const name = (r: ImageRef) => fieldName(r.path);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

export const imageRules: Rule[] = [
  {
    id: "image-source",
    severity: "error",
    check({ images, report }) {
      for (const r of images) {
        if (r.info.kind === "data-url") {
          report(
            r.path,
            `${name(r)} starts with a \`data:...;base64,\` prefix; send only the Base64 text after the comma` +
              (r.info.problem ? ` (which is not valid Base64 either: ${r.info.problem}).` : "."),
          );
        } else if (r.info.kind === "invalid") {
          report(r.path, `${name(r)} is neither an absolute http(s) URL nor raw Base64: ${r.info.problem}.`);
        }
      }
    },
  },
  {
    id: "image-base64-all-or-none",
    severity: "error",
    only: "kirin_v3_i2v",
    check({ images, report }) {
      const base64 = images.find(isBase64);
      for (const r of images) {
        if (base64 && r.info.kind === "url") {
          report(r.path, `${name(r)} is a URL but ${name(base64)} is Base64; when one image is Base64, every image must be.`);
        }
      }
    },
  },
  {
    id: "image-format",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        if (r.info.format === "unknown") {
          report(
            r.path,
            `${name(r)} is not a PNG or JPEG file: it starts with the bytes ${r.info.signature} (PNG starts 89 50 4E 47, JPEG FF D8 FF).`,
          );
        }
      }
    },
  },
  {
    id: "image-file-size",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        if (r.info.bytes! > MAX_IMAGE_BYTES) {
          report(
            r.path,
            `${name(r)} decodes to ${r.info.bytes} bytes (${mb(r.info.bytes!)}); at most 10 MB (${MAX_IMAGE_BYTES} bytes) is allowed.`,
          );
        }
      }
    },
  },
  {
    id: "image-header",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        if (r.info.headerProblem) report(r.path, `${name(r)} is not a complete image: ${r.info.headerProblem}.`);
      }
    },
  },
  {
    id: "image-max-pixels",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        const { width: w, height: h } = r.info;
        if (w !== undefined && h !== undefined && w * h > MAX_IMAGE_PIXELS) {
          report(
            r.path,
            `${name(r)} is ${w}x${h} px (${(w * h).toLocaleString("en")} pixels); at most ${MAX_IMAGE_PIXELS.toLocaleString("en")} pixels ` +
              "are allowed: decoded, a larger image takes over 700 MB, and image libraries refuse it.",
          );
        }
      }
    },
  },
  {
    id: "image-min-dimensions",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        const { width: w, height: h } = r.info;
        if (w !== undefined && h !== undefined && (w < MIN_SIDE || h < MIN_SIDE)) {
          report(r.path, `${name(r)} is ${w}x${h} px; width and height must each be at least ${MIN_SIDE} px.`);
        }
      }
    },
  },
  {
    id: "image-aspect-ratio",
    severity: "error",
    check({ images, report }) {
      for (const r of decoded(images)) {
        const { width: w, height: h } = r.info;
        if (r.ratioLimited && w !== undefined && h !== undefined && (2 * w > 5 * h || 2 * h > 5 * w)) {
          report(r.path, `${name(r)} is ${w}x${h} px (aspect ratio ${(w / h).toFixed(2)}); allowed: between 1:2.5 and 2.5:1.`);
        }
      }
    },
  },
];
