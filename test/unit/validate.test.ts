// validateRequest / validateWireRequest: schema rules become issues with the contract's rule id at
// a useful path, keyword failures get kebab-case ids, messages say what was given and what is
// allowed, the named examples pass, and no input makes it throw.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kirinV3I2VParams, kirinV3OmniVideoParams } from "../../generated/json-schemas.js";
import { validateRequest, validateWireRequest } from "../../src/validate.js";
import { elements, i2v, image, multi, omni, type RuleCase, shots, URL_IMAGE, video, without } from "./bodies.js";

const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const ff = image(URL_IMAGE, "first_frame");
const ef = image(URL_IMAGE, "end_frame");
const ref = image(URL_IMAGE);

/** Rules the schema states (`x-kirin-rule`): each with keeping and breaking bodies. */
const schemaCases: Record<string, RuleCase> = {
  "single-shot-requires-prompt": {
    pass: [i2v(), omni({ multi_shot: false })],
    fail: [
      [without(i2v(), "prompt"), "/prompt"],
      [i2v({ prompt: " \n " }), "/prompt"],
      [without(omni({ multi_shot: false }), "prompt"), "/prompt"],
    ],
  },
  "multi-shot-requires-shot-type": {
    pass: [multi(i2v, [5])],
    fail: [[without(multi(i2v, [5]), "shot_type"), "/shot_type"]],
  },
  "customize-requires-multi-prompt": {
    pass: [multi(omni, [2, 3])],
    fail: [[without(multi(omni, [5]), "multi_prompt"), "/multi_prompt"]],
  },
  "image-or-image-tail": {
    pass: [i2v(), without(i2v({ image_tail: URL_IMAGE }), "image")],
    fail: [[without(i2v(), "image"), "/image"]],
  },
  "http-url": {
    pass: [i2v({ callback_url: "https://app.example.com/hooks/kirin" }), omni({ video_list: [video("feature")], sound: "off" })],
    fail: [
      [i2v({ callback_url: "ftp://app.example.com/hook" }), "/callback_url"],
      [omni({ callback_url: "/hooks/kirin" }), "/callback_url"],
      [omni({ video_list: [video("feature", "cdn.example.com/v.mp4")], sound: "off" }), "/video_list/0/video_url"],
    ],
  },
  "shot-duration-whole-seconds": {
    pass: [multi(i2v, [1, 4])],
    fail: [
      [multi(i2v, ["2.5", 3]), "/multi_prompt/0/duration"],
      [multi(omni, [0, 5]), "/multi_prompt/0/duration"],
      [multi(omni, [5], { multi_prompt: [{ index: 1, prompt: "a", duration: "05" }] }), "/multi_prompt/0/duration"],
    ],
  },
  "one-first-frame": {
    pass: [without(omni({ image_list: [ff, ef] }), "aspect_ratio")],
    fail: [[without(omni({ image_list: [ff, ff] }), "aspect_ratio"), "/image_list"]],
  },
  "end-frame-requires-first-frame": {
    pass: [without(omni({ image_list: [ef, ff] }), "aspect_ratio")],
    fail: [
      [omni({ image_list: [ef] }), "/image_list"],
      [omni({ image_list: [ef, ef] }), "/image_list"],
    ],
  },
  "end-frame-max-two-images": {
    pass: [without(omni({ image_list: [ff, ref, ref] }), "aspect_ratio")],
    fail: [[without(omni({ image_list: [ff, ef, ref] }), "aspect_ratio"), "/image_list/1"]],
  },
  "reference-video-sound-off": {
    pass: [omni({ video_list: [video("feature")], sound: "off" }), omni({ video_list: [video("feature")] })],
    fail: [[omni({ video_list: [video("feature")], sound: "on" }), "/sound"]],
  },
  "video-edit-no-frames": {
    pass: [omni({ image_list: [ref], video_list: [video("base")] })],
    fail: [
      [omni({ image_list: [ref, ff], video_list: [video()] }), "/image_list/1"],
      [omni({ image_list: [ff], video_list: [video("base")] }), "/image_list/0"],
    ],
  },
  "first-frame-max-three-elements": {
    pass: [without(omni({ image_list: [ff], element_list: elements(3) }), "aspect_ratio"), omni({ element_list: elements(6) })],
    fail: [[without(omni({ image_list: [ff], element_list: elements(4) }), "aspect_ratio"), "/element_list"]],
  },
  "aspect-ratio-required": {
    pass: [omni(), without(omni({ image_list: [ff] }), "aspect_ratio"), without(omni({ video_list: [video()] }), "aspect_ratio")],
    fail: [
      [without(omni(), "aspect_ratio"), "/aspect_ratio"],
      [without(omni({ image_list: [ref] }), "aspect_ratio"), "/aspect_ratio"],
      [without(omni({ video_list: [video("feature")] }), "aspect_ratio"), "/aspect_ratio"],
    ],
  },
};

describe("rules the schema states", () => {
  it("each has cases here", () => {
    const ids = new Set([kirinV3I2VParams, kirinV3OmniVideoParams].flatMap((s) => Object.values(s.rules).map((r) => r.id)));
    expect(Object.keys(schemaCases).sort()).toEqual([...ids].sort());
  });

  describe.each(Object.entries(schemaCases))("%s", (rule, { pass, fail }) => {
    it.each(pass.map((b, i) => [i, b] as const))("keeps body %i without any issue", (_i, body) => {
      expect(validateRequest(body)).toEqual({ valid: true, issues: [] });
    });
    it.each(fail.map(([b, path]) => [path, b] as const))("reports one issue at %s", (path, body) => {
      const { valid, issues } = validateRequest(body);
      expect(valid).toBe(false);
      expect(issues).toEqual([expect.objectContaining({ rule, path, severity: "error" })]);
    });
  });
});

/** JSON Schema keywords: id from the keyword, and the issue's path. */
const keywordCases: [string, Record<string, unknown>, string][] = [
  ["max-length", i2v({ prompt: "x".repeat(2501) }), "/prompt"],
  ["max-length", i2v({ negative_prompt: "x".repeat(2501) }), "/negative_prompt"],
  ["max-length", multi(i2v, [5], { multi_prompt: [{ index: 1, prompt: "x".repeat(513), duration: "5" }] }), "/multi_prompt/0/prompt"],
  ["min-length", i2v({ image: "" }), "/image"],
  ["min-length", omni({ image_list: [image("")] }), "/image_list/0/image_url"],
  ["enum", i2v({ duration: "16" }), "/duration"],
  ["enum", i2v({ duration: "2" }), "/duration"],
  ["enum", i2v({ mode: "turbo" }), "/mode"],
  ["enum", omni({ sound: "loud" }), "/sound"],
  ["enum", multi(i2v, [5], { shot_type: "intelligent" }), "/shot_type"],
  ["enum", omni({ aspect_ratio: "4:3" }), "/aspect_ratio"],
  ["enum", omni({ image_list: [image(URL_IMAGE, "middle_frame")] }), "/image_list/0/type"],
  ["enum", omni({ video_list: [video("style")] }), "/video_list/0/refer_type"],
  [
    "enum",
    omni({ video_list: [{ ...video("feature"), keep_original_sound: "maybe" }], sound: "off" }),
    "/video_list/0/keep_original_sound",
  ],
  ["type", i2v({ duration: 5 }), "/duration"],
  ["type", i2v({ element_list: [{ element_id: "829301" }] }), "/element_list/0/element_id"],
  ["type", i2v({ watermark_info: [{ enabled: true }] }), "/watermark_info"],
  ["type", multi(i2v, [5], { multi_prompt: [{ index: "1", prompt: "a", duration: "5" }] }), "/multi_prompt/0/index"],
  ["additional-properties", i2v({ aspect_ratio: "16:9" }), "/aspect_ratio"],
  ["additional-properties", omni({ image_list: [{ ...ref, role: "style" }] }), "/image_list/0/role"],
  ["max-items", i2v({ element_list: elements(4) }), "/element_list"],
  ["max-items", omni({ video_list: [video("feature"), video("feature")], sound: "off" }), "/video_list"],
  ["max-items", multi(i2v, [1, 1, 1, 1, 1, 1, 1], { duration: "7" }), "/multi_prompt"],
  ["min-items", multi(i2v, []), "/multi_prompt"],
  ["required", omni({ image_list: [{ type: "first_frame" }] }), "/image_list/0/image_url"],
  ["required", omni({ video_list: [{ refer_type: "feature" }], sound: "off" }), "/video_list/0/video_url"],
  ["required", i2v({ watermark_info: {} }), "/watermark_info/enabled"],
  ["min-length", i2v({ external_task_id: "" }), "/external_task_id"],
];

describe("keyword failures", () => {
  it.each(keywordCases.map(([rule, body, path]) => [rule, path, body] as const))("%s at %s", (rule, path, body) => {
    const { valid, issues } = validateRequest(body);
    expect(valid).toBe(false);
    expect(issues).toEqual([expect.objectContaining({ rule, path, severity: "error" })]);
  });
});

describe("messages", () => {
  const first = (body: Record<string, unknown>) => validateRequest(body).issues[0]?.message;
  it("say what was given and what is allowed, naming the field", () => {
    expect(first(i2v({ mode: "turbo" }))).toBe('`mode` is "turbo"; allowed: std, pro.');
    expect(first(i2v({ prompt: "x".repeat(2612) }))).toBe("`prompt` has 2612 characters; at most 2500 are allowed.");
    expect(first(i2v({ aspect_ratio: "16:9" }))).toBe("`aspect_ratio` is not a parameter of kirin_v3_i2v.");
    expect(first(i2v({ duration: 5 }))).toBe("`duration` is 5; expected a string.");
    expect(first(i2v({ element_list: elements(4) }))).toBe("`element_list` has 4 items; at most 3 are allowed.");
    expect(first(omni({ video_list: [video("feature")], sound: "on" }))).toBe(
      '`sound` is "on"; allowed: off. With a reference video in `video_list`, `sound` must be `off`.',
    );
    expect(first(without(i2v(), "image"))).toBe("`image` is missing. Either `image` or `image_tail` must be given; both cannot be empty.");
    expect(first(multi(i2v, ["2.5", "2.5"]))).toMatch(/^`multi_prompt\[0\]\.duration` is "2\.5", which does not match/);
  });

  it("count characters as code points, as the schema does, also for long strings", () => {
    const emoji = "\u{1F98A}"; // one code point, two UTF-16 units
    expect(validateRequest(i2v({ prompt: emoji.repeat(2500) })).issues).toEqual([]);
    expect(first(i2v({ prompt: emoji.repeat(2501) }))).toBe("`prompt` has 2501 characters; at most 2500 are allowed.");
    expect(first(i2v({ prompt: emoji.repeat(9000) }))).toBe("`prompt` has 9000 characters; at most 2500 are allowed.");
  });

  it("report an unknown or missing model once, at /model", () => {
    expect(validateRequest({ prompt: "p" }).issues).toEqual([
      { path: "/model", rule: "required", severity: "error", message: "`model` is missing; allowed: kirin_v3_i2v, kirin_v3_omni_video." },
    ]);
    expect(validateRequest({ model: "kirin_v4", prompt: "p" }).issues).toEqual([
      { path: "/model", rule: "enum", severity: "error", message: '`model` is "kirin_v4"; allowed: kirin_v3_i2v, kirin_v3_omni_video.' },
    ]);
    expect(validateWireRequest({ model: "kirin_v4", input: [{ params: {} }] }).issues).toEqual([
      expect.objectContaining({ path: "/model", rule: "enum" }),
    ]);
  });

  it("a warning alone keeps the request valid", () => {
    const result = validateRequest(i2v({ shot_type: "customize" }));
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([expect.objectContaining({ rule: "single-shot-ignores-shots", severity: "warning" })]);
  });

  it("runtime rules still speak when the schema already failed", () => {
    const { issues } = validateRequest({ ...multi(i2v, [2, 2]), mode: "turbo" });
    expect(issues.map((i) => i.rule)).toEqual(["enum", "shot-durations-sum"]);
  });
});

describe("the wire envelope", () => {
  it("points into the wire body", () => {
    const { issues } = validateWireRequest({
      model: "kirin_v3_i2v",
      input: [{ params: { image: URL_IMAGE, multi_shot: true, shot_type: "customize", multi_prompt: shots(3, 4, 5), duration: "10" } }],
    });
    expect(issues).toEqual([expect.objectContaining({ path: "/input/0/params/multi_prompt/2/duration", rule: "shot-durations-sum" })]);
  });

  it("reports envelope faults at their place", () => {
    const paths = (body: unknown) => validateWireRequest(body).issues.map((i) => `${i.rule} ${i.path}`);
    expect(paths({ input: [{ params: {} }] })).toEqual(["required /model"]);
    expect(paths({ model: "kirin_v3_omni_video" })).toEqual(["required /input"]);
    expect(paths({ model: "kirin_v3_omni_video", input: [] })).toEqual(["min-items /input"]);
    expect(paths({ model: "kirin_v3_omni_video", input: [{}] })).toEqual(["required /input/0/params"]);
    expect(paths({ model: "kirin_v3_omni_video", input: [{ params: 3 }] })).toEqual(["type /input/0/params"]);
    expect(paths({ model: "kirin_v3_omni_video", input: [{ params: { prompt: "p", aspect_ratio: "1:1" } }], stream: true })).toEqual([
      "additional-properties /stream",
    ]);
    expect(paths({ model: "kirin_v3_omni_video", input: [{ params: { prompt: "p" } }] })).toEqual([
      "aspect-ratio-required /input/0/params/aspect_ratio",
    ]);
  });
});

describe("the named request examples of the contract", () => {
  const requests = Object.entries(spec.components.examples as Record<string, { value: any }>).filter(([name]) =>
    /^(I2V|Omni)\w*Request$/.test(name),
  );
  it("are all here", () => expect(requests.length).toBeGreaterThanOrEqual(8));
  it.each(requests)("%s is valid with zero issues, flat and on the wire", (_name, { value }) => {
    expect(validateWireRequest(value)).toEqual({ valid: true, issues: [] });
    expect(validateRequest({ model: value.model, ...value.input[0].params })).toEqual({ valid: true, issues: [] });
  });
});

describe("never throws", () => {
  const cyclic: Record<string, unknown> = { model: "kirin_v3_omni_video", prompt: "p", aspect_ratio: "1:1" };
  cyclic.watermark_info = cyclic;
  cyclic.image_list = [cyclic];
  const throwing = Object.defineProperty({ model: "kirin_v3_i2v", image: URL_IMAGE }, "prompt", {
    enumerable: true,
    get() {
      throw new Error("no prompt for you");
    },
  });
  const hostile = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error("trap");
      },
      get() {
        throw new Error("trap");
      },
    },
  );
  const hostileError = Object.defineProperty({}, "prompt", {
    enumerable: true,
    get() {
      throw {
        get message() {
          throw new Error("no");
        },
        toString() {
          throw new Error("no");
        },
      };
    },
  });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  let deep: Record<string, unknown> = {};
  const deepest = deep;
  for (let i = 0; i < 100_000; i++) deep = { watermark_info: deep };
  deepest.x = 1;
  const sparse: unknown[] = [];
  sparse.length = 2 ** 32 - 1;

  const inputs: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["NaN", Number.NaN],
    ["a string", "kirin_v3_i2v"],
    ["a symbol", Symbol("x")],
    ["a bigint", 10n],
    ["a function", () => 1],
    ["an empty array", []],
    ["an array of bodies", [i2v()]],
    ["Object.create(null)", Object.create(null)],
    ["a Date", new Date()],
    ["a cyclic body", cyclic],
    ["a getter that throws", throwing],
    ["a proxy that throws on everything", hostile],
    ["a getter that throws a value whose message throws", hostileError],
    ["a revoked proxy", revocable.proxy],
    ["a revoked proxy as a field", { model: "kirin_v3_i2v", image: revocable.proxy }],
    ["a 100000-deep body", { model: "kirin_v3_i2v", ...deep }],
    ["a 2^32 sparse array", { model: "kirin_v3_omni_video", image_list: sparse }],
    ["a 20 MB prompt", i2v({ prompt: "x".repeat(20_000_000) })],
    ["a 20 MB model", { model: "y".repeat(20_000_000) }],
    [
      "wrong types everywhere",
      {
        model: "kirin_v3_omni_video",
        multi_shot: "yes",
        multi_prompt: { 0: 1 },
        image_list: "a",
        element_list: 7,
        video_list: [null, 3],
        prompt: ["<<<image_1>>>"],
        duration: {},
      },
    ],
    [
      "a model that is an object",
      {
        model: {
          toString: () => {
            throw new Error("x");
          },
        },
      },
    ],
  ];

  const wellFormed = (result: { valid: boolean; issues: unknown[] }) => {
    expect(typeof result.valid).toBe("boolean");
    for (const i of result.issues) {
      expect(i).toEqual({
        path: expect.any(String),
        rule: expect.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/),
        message: expect.any(String),
        severity: expect.stringMatching(/^(error|warning)$/),
      });
    }
  };

  it.each(inputs)("on %s", (_name, input) => {
    const flat = validateRequest(input);
    wellFormed(flat);
    expect(flat.valid).toBe(false);
    wellFormed(validateWireRequest(input));
    wellFormed(validateWireRequest({ model: "kirin_v3_i2v", input: [{ params: input }] }));
    expect(flat.issues.some((i) => i.rule === "internal-error")).toBe(false);
  });

  it("names the field a getter could not be read from", () => {
    expect(validateRequest(throwing).issues).toContainEqual(expect.objectContaining({ path: "/prompt", rule: "unreadable" }));
  });

  it("on anything fast-check can make", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        (v) => {
          wellFormed(validateRequest(v));
          wellFormed(validateRequest(typeof v === "object" && v ? { model: "kirin_v3_omni_video", ...v } : v));
          wellFormed(validateWireRequest({ model: "kirin_v3_i2v", input: [{ params: v }] }));
        },
      ),
      { numRuns: 500 },
    );
  });
});
