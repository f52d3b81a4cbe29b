// What the fuzz suites throw at the library and the mock: arbitrary JSON, arbitrary bytes, and
// bodies shaped enough like a request or a task to get past the first check, with prototype keys
// and deep nesting planted in them. Case counts are fixed so that the suites stay fast in CI.
import fc from "fast-check";
import { PROTOTYPE_KEYS } from "../../src/json.js";

const PARAM_KEYS = [
  "image",
  "image_tail",
  "prompt",
  "negative_prompt",
  "multi_shot",
  "shot_type",
  "multi_prompt",
  "element_list",
  "image_list",
  "video_list",
  "sound",
  "mode",
  "duration",
  "aspect_ratio",
  "watermark_info",
  "callback_url",
  "external_task_id",
];
const TASK_KEYS = ["id", "status", "model", "progress", "created_at", "external_task_id", "output", "usage", "error", "metadata"];
// Words every object inherits a property for are among them: a lookup table must not answer them.
const INHERITED = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
const STATUSES = [
  "pending",
  "processing",
  "in_progress",
  "completed",
  "success",
  "failed",
  "cancelled",
  "",
  "  ",
  "rendering",
  ...INHERITED,
];

/** A key: mostly the ones that matter, sometimes a prototype key, sometimes anything. */
const keyOf = (known: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 2, arbitrary: fc.string() },
  );

/** A JSON value a little deeper and stranger than fc.jsonValue's defaults. */
export const json = fc.jsonValue({ maxDepth: 6 });

/** A header or status word: sometimes a name every object inherits. */
export const word = fc.oneof(fc.constantFrom(...INHERITED), fc.stringMatching(/^[ -~]{0,20}$/));

/** Bytes: valid UTF-8 or not, JSON or not. */
export const bytes: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array(b)),
  json.map((v) => new TextEncoder().encode(JSON.stringify(v))),
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
);

/** Flat request bodies `{ model, ...params }` with plausible and implausible values. */
export const flatBody = fc
  .record({
    model: fc.oneof(fc.constantFrom("kirin_v3_i2v", "kirin_v3_omni_video"), json),
    params: fc.dictionary(keyOf(PARAM_KEYS), json, { maxKeys: 8 }),
  })
  .map(({ model, params }) => ({ model, ...params }));

/** Wire bodies `{ model, input: [ { params } ] }`, the envelope sometimes broken. */
export const wireBody = fc.oneof(
  flatBody.map(({ model, ...params }) => ({ model, input: [{ params }] })),
  fc.record({ model: json, input: json }),
  json,
);

/** Task bodies as a callback or a poll may carry them. */
export const taskBody = fc
  .dictionary(keyOf(TASK_KEYS), json, { maxKeys: 10 })
  .chain((fields) =>
    fc
      .record({ id: fc.oneof(fc.string(), fc.integer(), json), status: fc.oneof(fc.constantFrom(...STATUSES), json) })
      .map((head) => ({ ...head, ...fields })),
  );

/**
 * JSON text of `value` with a prototype key planted in one of its objects (text, because an object
 * literal cannot hold an own `__proto__` key), and the key that was planted.
 */
export function withPrototypeKey<T>(value: fc.Arbitrary<T>) {
  return fc.tuple(value, fc.constantFrom(...PROTOTYPE_KEYS), json, fc.nat()).map(([body, key, planted, at]) => {
    let objects = 0;
    JSON.stringify(body, (_k, v: unknown) => {
      if (v !== null && typeof v === "object" && !Array.isArray(v)) objects++;
      return v;
    });
    if (objects === 0) return { text: `{${JSON.stringify(key)}:${JSON.stringify(planted)}}`, key };
    const target = at % objects;
    let seen = 0;
    // JSON.stringify's own order, objects counted as they are entered.
    const write = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map((x) => write(x)).join(",")}]`;
      if (v !== null && typeof v === "object") {
        const mine = seen++;
        const record = v as Record<string, unknown>;
        const members = Object.keys(record)
          .filter((k) => record[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${write(record[k])}`);
        if (mine === target) members.unshift(`${JSON.stringify(key)}:${JSON.stringify(planted)}`);
        return `{${members.join(",")}}`;
      }
      return JSON.stringify(v) ?? "null";
    };
    return { text: write(body), key };
  });
}

/** JSON text nested `levels` deep around a value, in arrays or objects. */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 65, max: 20_000 }), fc.boolean())
  .map(([levels, arrays]) => (arrays ? `${"[".repeat(levels)}1${"]".repeat(levels)}` : `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`));
