// validateRequest cost, measured in one run on this machine:
// (a) a body carrying a Base64 PNG of 100 KB, 1 MB and 10 MB, against decoding the whole image and
//     reading its size (Node's native Buffer decoder, and atob as a browser would): validation
//     reads only header bytes, so its time should be flat and far below a full decode;
// (b) validations per second of typical bodies;
// (c) the schema step alone: src/json-schema reading the contract's schemas, against Ajv's code
//     compiled from the same schemas in this run (what the package shipped before: 52 kB minified
//     for the three request schemas, against about 12 kB for them and the reader).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { kirinV3I2VParams, kirinV3OmniVideoParams } from "../../generated/json-schemas.js";
import { schemaErrors } from "../../src/json-schema.js";
import { validateRequest, validateWireRequest } from "../../src/validate.js";
import { base64, png } from "../unit/image-fixtures.js";

/** Calls per batch so that one batch takes about 10 ms (and the function is warm). */
function batchSize(fn: () => unknown): number {
  let n = 1;
  for (let t = 0; t < 10; n *= 2) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    t = performance.now() - start;
  }
  return n;
}

/**
 * Median time of one call (ms) of each function. Rounds interleave the functions, so that noise
 * from other processes on this shared machine hits all of them alike; each round runs batches
 * for `roundMs` and keeps its median, and the median of the rounds is reported.
 */
function measure<K extends string>(fns: Record<K, () => unknown>, rounds = 7, roundMs = 60): Record<K, number> {
  const sizes = Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, batchSize(fn as () => unknown)]));
  const perRound: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(fns) as [string, () => unknown][]) {
      const samples: number[] = [];
      const end = performance.now() + roundMs;
      while (performance.now() < end || samples.length < 3) {
        const start = performance.now();
        for (let i = 0; i < sizes[k]!; i++) fn();
        samples.push((performance.now() - start) / sizes[k]!);
      }
      (perRound[k] ??= []).push(median(samples));
    }
  }
  return Object.fromEntries(Object.entries(perRound).map(([k, v]) => [k, median(v)])) as Record<K, number>;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const pngSize = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};
const fullDecodeBuffer = (b64: string) => pngSize(Buffer.from(b64, "base64"));
const fullDecodeAtob = (b64: string) => {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return pngSize(bytes);
};

const ms = (x: number) => (x < 0.1 ? `${(x * 1000).toFixed(1)} us` : `${x.toFixed(2)} ms`).padStart(10);

console.log("(a) validateRequest on a body with a Base64 PNG (1000x800) vs decoding the whole image");
console.log(
  `  ${"image".padEnd(8)} ${"Base64".padStart(10)} ${"validate".padStart(10)} ${"Buffer.from".padStart(12)} ${"atob".padStart(10)} ${"x Buffer".padStart(9)} ${"x atob".padStart(8)}`,
);
const results: { label: string; validate: number; buffer: number }[] = [];
const cases = (
  [
    ["100 KB", 100 * 1024],
    ["1 MB", 1024 * 1024],
    ["10 MB", 10 * 1024 * 1024],
  ] as const
).map(([label, size]) => {
  const image = base64(png(1000, 800, size));
  const body = { model: "kirin_v3_i2v", image, prompt: "The fox lifts its head and trots out of frame." };
  const verdict = validateRequest(body);
  if (!verdict.valid || verdict.issues.length) throw new Error(`bench body invalid: ${JSON.stringify(verdict.issues)}`);
  return { label, image, body };
});
for (const { body } of cases) batchSize(() => validateRequest(body)); // all three warm before any is timed
for (const { label, image, body } of cases) {
  const t = measure({
    validate: () => validateRequest(body),
    buffer: () => fullDecodeBuffer(image),
    atob: () => fullDecodeAtob(image),
  });
  results.push({ label, validate: t.validate, buffer: t.buffer });
  console.log(
    `  ${label.padEnd(8)} ${`${(image.length / 1e6).toFixed(2)} MB`.padStart(10)} ${ms(t.validate)} ${ms(t.buffer).padStart(12)} ${ms(t.atob)} ${`${(t.buffer / t.validate).toFixed(0)}x`.padStart(9)} ${`${(t.atob / t.validate).toFixed(0)}x`.padStart(8)}`,
  );
}
const tenMb = results[2]!;
const flat = tenMb.validate / results[0]!.validate;
console.log(
  `  10 MB: validateRequest is ${(tenMb.buffer / tenMb.validate).toFixed(0)}x faster than a full Buffer decode (goal >= 100x: ${tenMb.buffer / tenMb.validate >= 100 ? "MET" : "MISSED"})`,
);
console.log(`  flatness: validate time at 10 MB / at 100 KB = ${flat.toFixed(2)} (1.00 is perfectly flat; the image is 100x larger)`);

console.log("\n(b) validations per second");
const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const example = (name: string) => spec.components.examples[name].value;
const flatBody = (wire: { model: string; input: { params: object }[] }) => ({ model: wire.model, ...wire.input[0]!.params });
const omniRefs = flatBody(example("OmniReferenceImagesRequest"));
const omniRefsWire = example("OmniReferenceImagesRequest");
const omniEdit = flatBody(example("OmniVideoEditRequest"));
const i2vMulti = flatBody(example("I2VMultiShotRequest"));
const i2vBase64 = flatBody(example("I2VFirstLastFrameBase64Request"));
const broken = {
  model: "kirin_v3_omni_video",
  prompt: "<<<image_6>>>",
  mode: "turbo",
  sound: "on",
  fps: 24,
  duration: 5,
  video_list: [{ video_url: "https://x.test/a.mp4" }],
  image_list: Array(5).fill({ image_url: "https://x.test/i.png" }),
};
const bodies: [string, () => unknown][] = [
  ["omni, reference images + element (OmniReferenceImagesRequest)", () => validateRequest(omniRefs)],
  ["omni, same body on the wire (validateWireRequest)", () => validateWireRequest(omniRefsWire)],
  ["omni, video edit (OmniVideoEditRequest)", () => validateRequest(omniEdit)],
  ["i2v, multi-shot (I2VMultiShotRequest)", () => validateRequest(i2vMulti)],
  ["i2v, two Base64 PNGs (I2VFirstLastFrameBase64Request)", () => validateRequest(i2vBase64)],
  ["omni breaking 4 schema rules and 2 runtime rules", () => validateRequest(broken)],
];
const rates = measure(Object.fromEntries(bodies), 5, 80);
for (const [name] of bodies) {
  const t = rates[name]!;
  console.log(
    `  ${name.padEnd(66)} ${Math.round(1000 / t)
      .toLocaleString("en-US")
      .padStart(10)} /s  ${ms(t)} each`,
  );
}

console.log("\n(c) the schema step alone: src/json-schema vs Ajv's compiled code for the same schema (allErrors)");
const ajv = new Ajv2020({ allErrors: true, strict: false });
const withoutModel = ({ model: _, ...params }: Record<string, unknown>) => params;
const schemaCases: [string, typeof kirinV3I2VParams, Record<string, unknown>][] = [
  ["omni, reference images + element", kirinV3OmniVideoParams, withoutModel(omniRefs)],
  ["i2v, multi-shot", kirinV3I2VParams, withoutModel(i2vMulti)],
  ["omni breaking 4 schema rules and 2 runtime rules", kirinV3OmniVideoParams, withoutModel(broken)],
];
for (const [name, { schema }, params] of schemaCases) {
  const compiled = ajv.compile(schema);
  if (schemaErrors(schema, params).length !== (compiled(params) ? 0 : compiled.errors!.length))
    throw new Error(`${name}: the two disagree`);
  const t = measure({ reader: () => schemaErrors(schema, params), ajv: () => compiled(params) }, 5, 60);
  console.log(`  ${name.padEnd(50)} reader ${ms(t.reader)}   Ajv ${ms(t.ajv)}   reader / Ajv ${(t.reader / t.ajv).toFixed(1)}x`);
}
console.log("  (per call; both warm. A create's whole validateRequest is in (b).)");
