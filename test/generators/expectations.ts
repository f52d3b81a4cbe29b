// What each generator verified in generators.test.ts keeps of the contract's request rules, and
// what it loses. docs/other-generators.md shows the same table and versions, and the contract's
// info.description the versions: test/docs/guides.test.ts fails when they differ from these.

export type Verdict = "rejects" | "accepts";

export interface Probe {
  /** A wire body that breaks the contract. */
  body: unknown;
  /** The rule id validateWireRequest reports for it. */
  rule: string;
}

type Params = Record<string, unknown>;
interface WireBody {
  model: string;
  input: { params: Params }[];
}

const image = "https://cdn.example.com/images/fox-start.jpg";
const i2v = (params: Params): WireBody => ({ model: "kirin_v3_i2v", input: [{ params: { image, prompt: "A fox trots.", ...params } }] });
const omni = (params: Params): WireBody => ({
  model: "kirin_v3_omni_video",
  input: [{ params: { prompt: "A paper boat.", aspect_ratio: "16:9", ...params } }],
});
const shots = (durations: string[]) => durations.map((duration, i) => ({ index: i + 1, prompt: `Shot ${i + 1}.`, duration }));
const without = (body: WireBody, field: string): WireBody => {
  const params = { ...body.input[0]!.params };
  delete params[field];
  return { ...body, input: [{ params }] };
};
const multiShot = (durations: string[], total: string) =>
  without(i2v({ multi_shot: true, shot_type: "customize", multi_prompt: shots(durations), duration: total }), "prompt");

/** Bodies that break one rule each. The first ones break a rule of one field; the rest cross-field rules. */
export const PROBES = {
  // One field, or the envelope.
  "an unknown model": { body: { model: "kirin_v2", input: [{ params: { prompt: "p" } }] }, rule: "enum" },
  "two input items": { body: { ...i2v({}), input: [...i2v({}).input, ...i2v({}).input] }, rule: "max-items" },
  "an unknown field (aspect_ratio on kirin_v3_i2v)": { body: i2v({ aspect_ratio: "16:9" }), rule: "additional-properties" },
  'a duration outside the enum ("20")': { body: i2v({ duration: "20" }), rule: "enum" },
  "a boolean as a string (multi_shot)": { body: i2v({ multi_shot: "true" }), rule: "type" },
  "a prompt of 2,501 characters": { body: i2v({ prompt: "x".repeat(2501) }), rule: "max-length" },
  "7 shots (at most 6)": { body: multiShot(["1", "1", "1", "1", "1", "1", "1"], "7"), rule: "max-items" },
  "a shot duration that is no whole number": { body: multiShot(["2.5", "2.5"], "5"), rule: "shot-duration-whole-seconds" },
  "a callback_url that is no http(s) URL": { body: i2v({ callback_url: "ftp://files.example.com/hook" }), rule: "http-url" },
  "an empty external_task_id": { body: i2v({ external_task_id: "" }), rule: "min-length" },
  "an element_id that is no integer": { body: i2v({ element_list: [{ element_id: 1.5 }] }), rule: "type" },
  // Cross-field rules (`if`/`then`, `anyOf` of `required`, `contains`).
  "empty params (image-or-image-tail, single-shot-requires-prompt)": {
    body: { model: "kirin_v3_i2v", input: [{ params: {} }] },
    rule: "image-or-image-tail",
  },
  "a single shot without prompt (single-shot-requires-prompt)": { body: without(i2v({}), "prompt"), rule: "single-shot-requires-prompt" },
  "multi_shot without shot_type (multi-shot-requires-shot-type)": {
    body: without(multiShot(["5"], "5"), "shot_type"),
    rule: "multi-shot-requires-shot-type",
  },
  "omni text only without aspect_ratio (aspect-ratio-required)": { body: without(omni({}), "aspect_ratio"), rule: "aspect-ratio-required" },
  "a reference video with sound on (reference-video-sound-off)": {
    body: omni({ sound: "on", video_list: [{ video_url: "https://cdn.example.com/videos/move.mp4", refer_type: "feature" }] }),
    rule: "reference-video-sound-off",
  },
  "two first frames (one-first-frame)": {
    body: without(
      omni({
        image_list: [
          { image_url: image, type: "first_frame" },
          { image_url: image, type: "first_frame" },
        ],
      }),
      "aspect_ratio",
    ),
    rule: "one-first-frame",
  },
  // A rule no schema states (x-kirin-rules): only validateRequest has it.
  "shots of 2 + 2 seconds in a 5-second video (shot-durations-sum)": { body: multiShot(["2", "2"], "5"), rule: "shot-durations-sum" },
} satisfies Record<string, Probe>;

type ProbeName = keyof typeof PROBES;

/** Every probe rejected, but those named: they are accepted. */
const rejectsAllBut = (...accepted: ProbeName[]): Record<ProbeName, Verdict> =>
  Object.fromEntries(Object.keys(PROBES).map((name) => [name, accepted.includes(name as ProbeName) ? "accepts" : "rejects"])) as Record<
    ProbeName,
    Verdict
  >;

/** What no generator keeps: the cross-field rules and the rules no schema states. */
const CROSS_FIELD: ProbeName[] = [
  "empty params (image-or-image-tail, single-shot-requires-prompt)",
  "a single shot without prompt (single-shot-requires-prompt)",
  "multi_shot without shot_type (multi-shot-requires-shot-type)",
  "omni text only without aspect_ratio (aspect-ratio-required)",
  "a reference video with sound on (reference-video-sound-off)",
  "two first frames (one-first-frame)",
  "shots of 2 + 2 seconds in a 5-second video (shot-durations-sum)",
];

export interface Generator {
  /** As the test names it. */
  name: string;
  package: string;
  version: string;
  /** Its output folder in the test's temporary folder. */
  folder: string;
  /**
   * Its type of the create's request body, for the type check: imports and the type. `params:
   * "any"` when the type of `params` is `any` (then only the envelope is checked).
   */
  types?: { imports: string; body: string; params?: "any" };
  /** Its zod schema of the create's request body: the file (without .ts) and the export's path. */
  schema?: { file: string; path: string[] };
  /** Per probe, what its zod schema does with it (with `schema`). */
  verdicts?: Record<string, Verdict>;
  /** Named request examples its zod schema rejects, valid as they are, and why. */
  rejectsExamples?: { names: string[]; because: string };
}

export const GENERATORS: Generator[] = [
  {
    name: "@hey-api/openapi-ts (types, fetch SDK, zod plugin)",
    package: "@hey-api/openapi-ts",
    version: "0.95.0",
    folder: "hey-api",
    types: { imports: 'import type { CreateTaskRequest } from "./types.gen";', body: "CreateTaskRequest" },
    schema: { file: "zod.gen", path: ["zCreateTaskRequest"] },
    // Its zod objects strip unknown fields instead of rejecting them (no option makes them strict).
    verdicts: rejectsAllBut("an unknown field (aspect_ratio on kirin_v3_i2v)", ...CROSS_FIELD),
    // `format: int64` (element_id, a "long" in the API's pages) becomes z.coerce.bigint(). The
    // params are the fields `.and()` the rules (`z.unknown()`), and zod cannot merge the BigInt of
    // one side with the number of the other: "Intersection results could not be merged".
    rejectsExamples: {
      names: ["I2VMultiShotRequest", "OmniReferenceImagesRequest"],
      because: "an element_id (int64) is read as a BigInt, which zod cannot merge with the rules' side of the intersection",
    },
  },
  {
    name: "orval (fetch)",
    package: "orval",
    version: "7.13.2",
    folder: "orval-fetch",
    types: { imports: 'import type { CreateTaskRequest } from "./api";', body: "CreateTaskRequest" },
  },
  {
    name: "orval (zod)",
    package: "orval",
    version: "7.13.2",
    folder: "orval-zod",
    // Each rule becomes `zod.any()` in an intersection, so the inferred type of `params` is `any`.
    types: {
      imports: 'import type { z } from "zod";\nimport type { createTaskBody } from "./api";',
      body: "z.input<typeof createTaskBody>",
      params: "any",
    },
    schema: { file: "api", path: ["createTaskBody"] },
    // `integer` becomes zod.number(): 1.5 passes as an element_id.
    verdicts: rejectsAllBut("an element_id that is no integer", ...CROSS_FIELD),
  },
  {
    name: "openapi-zod-client",
    package: "openapi-zod-client",
    version: "1.18.3",
    folder: "openapi-zod-client",
    types: {
      imports: 'import type { z } from "zod";\nimport type { schemas } from "./api";',
      body: "z.input<typeof schemas.CreateTaskRequest>",
    },
    schema: { file: "api", path: ["schemas", "CreateTaskRequest"] },
    // It applies a string schema's limits where a `$ref` points at it: a field that pointed at an
    // alias (a schema that is only a `$ref` to HttpUrl) lost HttpUrl's pattern. The contract has none.
    verdicts: rejectsAllBut(...CROSS_FIELD),
  },
];
