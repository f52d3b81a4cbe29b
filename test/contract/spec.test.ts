// The contract itself: structure, bundle, examples, and one counterexample per schema rule.
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { envelope, kirinV3I2VParams, kirinV3OmniVideoParams, task } from "../../generated/json-schemas.js";
import { type SchemaError, schemaErrors } from "../../src/json-schema.js";

import { inlineValidator, schemaValidator } from "../support/contract.js";

const schemas = { envelope, kirinV3I2VParams, kirinV3OmniVideoParams, task };
type Validator = keyof typeof schemas;
const schemaRules = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, s.rules])) as Record<Validator, typeof task.rules>;
/** A schema as a validator: true when the value is valid, its errors on `.errors`. */
function validatorOf(name: Validator) {
  const validate = (value: unknown) => (validate.errors = schemaErrors(schemas[name].schema, value)).length === 0;
  validate.errors = [] as SchemaError[];
  return validate;
}
const validators = Object.fromEntries(Object.keys(schemas).map((name) => [name, validatorOf(name as Validator)])) as Record<
  Validator,
  ReturnType<typeof validatorOf>
>;
const { envelope: validateEnvelope, task: validateTask } = validators;
/** A wire body is valid when its envelope and its model's params are. */
function wireErrors(body: any) {
  if (!validateEnvelope(body)) return validateEnvelope.errors;
  const fn = body.model === "kirin_v3_i2v" ? validators.kirinV3I2VParams : validators.kirinV3OmniVideoParams;
  return fn(body.input[0].params) ? [] : fn.errors;
}

const bundle = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const examples: Record<string, { value: unknown }> = bundle.components.examples;

describe("the contract", () => {
  it("validates and dereferences as split files and as the bundle", async () => {
    for (const source of ["openapi/openapi.yaml", "generated/openapi.json"]) {
      const api: any = await SwaggerParser.validate(source);
      expect(api.openapi).toBe("3.1.0");
      const deref: any = await SwaggerParser.dereference(source);
      const params =
        deref.paths["/model/v1/generation"].post.requestBody.content["application/json"].schema.oneOf[0].properties.input.items.properties
          .params;
      expect(params.allOf[0].properties.duration.default).toBe("5");
    }
  });

  it("declares the 2020-12 dialect (Prism validates with draft-07 rules otherwise)", () => {
    expect(bundle.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("has bearer security on every operation and the two servers", () => {
    expect(bundle.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(bundle.security).toEqual([{ bearerAuth: [] }]);
    expect(bundle.servers[0].variables.baseUrl.default).toBe("https://cloud.vtrix.ai");
    expect(bundle.servers[1].url).toBe("http://127.0.0.1:4010");
  });

  it("gives each branch of the request its model by const, and by a one-value enum for generators that read only enum", () => {
    const s = bundle.components.schemas;
    expect(s.KirinV3I2VRequest.properties.model).toMatchObject({ const: "kirin_v3_i2v", enum: ["kirin_v3_i2v"] });
    expect(s.KirinV3OmniVideoRequest.properties.model).toMatchObject({ const: "kirin_v3_omni_video", enum: ["kirin_v3_omni_video"] });
    expect(s.KirinV3I2VParams.allOf[0].properties.mode.default).toBe("std");
    expect(s.KirinV3OmniVideoParams.allOf[0].properties.mode.default).toBe("pro");
  });

  // orval's zod output and openapi-zod-client render an `allOf` (or `anyOf`, `oneOf`) and drop
  // `properties` beside it: every field, enum and limit of such a schema would be lost to them.
  it("never puts properties beside allOf, anyOf or oneOf: the fields are one member, the rules the others", () => {
    const mixed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${path}/${i}`));
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      if (n.properties && ["allOf", "anyOf", "oneOf"].some((k) => k in n)) mixed.push(path);
      for (const [k, v] of Object.entries(n)) if (k !== "examples" && k !== "example") walk(v, `${path}/${k}`);
    };
    walk(bundle, "#");
    expect(mixed).toEqual([]);
    for (const name of ["KirinV3I2VParams", "KirinV3OmniVideoParams"]) {
      const [fields, ...rules] = bundle.components.schemas[name].allOf;
      expect(fields).toMatchObject({ type: "object", additionalProperties: false });
      expect(fields["x-kirin-rule"]).toBeUndefined();
      for (const rule of [...rules, ...bundle.components.schemas.MultiShotRules.allOf]) {
        expect(rule.$ref ?? rule["x-kirin-rule"], JSON.stringify(rule)).toBeTypeOf("string");
        // A rule member with `properties` of its own reads as a second object to other generators
        // (orval's strict zod then refuses every field but those): rules go under if/then/else.
        expect(rule.properties, rule["x-kirin-rule"]).toBeUndefined();
      }
    }
  });

  it("names the callback payload as a schema", () => {
    const cb = bundle.paths["/model/v1/generation"].post.callbacks.taskStatusChanged;
    const op = Object.values(cb)[0] as any;
    expect(op.post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/TaskCallback");
  });

  it("documents the three seed error codes without closing `code` to them", () => {
    const err = bundle.components.schemas.TaskError;
    expect(err["x-kirin-error-codes"].map((c: any) => c.code)).toEqual(["006001094", "006001095", "006001099"]);
    expect(err.properties.code.enum).toBeUndefined();
    expect(validateTask({ id: "t", model: "m", status: "failed", error: { code: "123" } })).toBe(true);
  });
});

describe("named examples", () => {
  const requests = Object.entries(examples).filter(([name]) => /^(I2V|Omni)/.test(name));

  // The documented forms, and the forms the real gateway sends (test/fixtures/wire/).
  const documentedTasks = [
    "TaskPending",
    "TaskProcessing",
    "TaskCompleted",
    "TaskFailedResourceInsufficient",
    "TaskFailedResponseError",
    "TaskFailedCreationError",
  ];
  const wireTasks = ["TaskQueuedWire", "TaskInProgressWire", "TaskCompletedWire", "TaskFailedIntegerCode", "TaskFailedPlainError"];

  it("cover every case the contract promises", () => {
    expect(Object.keys(examples).sort()).toEqual(
      [
        "I2VSingleShotUrlRequest",
        "I2VFirstLastFrameBase64Request",
        "I2VMultiShotRequest",
        "OmniTextOnlyRequest",
        "OmniFirstEndFrameRequest",
        "OmniReferenceImagesRequest",
        "OmniFeatureVideoRequest",
        "OmniVideoEditRequest",
        ...documentedTasks,
        ...wireTasks,
        "CreateInProgress",
        "CreateFailed",
        "CreateRejected",
        "ErrorBadRequest",
        "ErrorUnauthorized",
        "ErrorNotFound",
        "ErrorConflict",
        "ErrorPayloadTooLarge",
        "ErrorUnsupportedMediaType",
        "ErrorRateLimited",
        "ErrorInternal",
        "ErrorServiceUnavailable",
        "ErrorInsufficientCredits",
        "ErrorNotFoundWrapper",
        "ErrorMessageOnly",
        "ErrorAsString",
        "ErrorObjectMessage",
        "ErrorObjectErrorMessage",
        "ErrorRateLimitedCode",
        "ErrorBadTaskId",
      ].sort(),
    );
  });

  it.each(requests)("%s passes the generated request validators", (_name, { value }) => {
    expect(wireErrors(value)).toEqual([]);
  });

  it.each(documentedTasks)("%s is in the documented form (passes the generated Task validator)", (name) => {
    const { value } = examples[name]!;
    expect(validateTask(value), JSON.stringify(validateTask.errors)).toBe(true);
  });

  it.each(wireTasks)("%s is a WireTask", (name) => {
    expect(schemaValidator("WireTask")(examples[name]!.value)).toBe(true);
  });

  it("the wire forms that change a field's type are outside the documented Task", () => {
    for (const name of ["TaskCompletedWire", "TaskFailedIntegerCode", "TaskFailedPlainError"]) {
      expect(validateTask(examples[name]!.value), name).toBe(false);
    }
  });

  // Every example of every response and callback body passes the schema it is shown under.
  const shown: [string, object, unknown][] = [];
  const collect = (where: string, content: any) => {
    for (const [name, ex] of Object.entries<any>(content?.["application/json"]?.examples ?? {})) {
      const value = ex.$ref ? examples[ex.$ref.split("/").pop()]!.value : ex.value;
      shown.push([`${where} ${name}`, content["application/json"].schema, value]);
    }
  };
  for (const [path, item] of Object.entries<any>(bundle.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      for (const [status, r] of Object.entries<any>(op.responses ?? {})) {
        collect(`${method} ${path} ${status}`, (r.$ref ? bundle.components.responses[r.$ref.split("/").pop()] : r).content);
      }
      for (const cb of Object.values<any>(op.callbacks ?? {})) {
        for (const cbItem of Object.values<any>(cb)) collect(`callback of ${method} ${path}`, cbItem.post.requestBody.content);
      }
    }
  }
  it.each(shown)("%s passes the schema it is shown under", (_where, schema, value) => {
    const validate = inlineValidator(schema);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });
});

// One params body per rule the schema states: it breaks that rule and nothing else.
const i2v = (params: Record<string, unknown>) => ({ image: "https://x.test/a.png", prompt: "p", ...params });
const omni = (params: Record<string, unknown>) => ({ prompt: "p", aspect_ratio: "16:9", ...params });
const ff = { image_url: "https://x.test/f.png", type: "first_frame" };
const ef = { image_url: "https://x.test/e.png", type: "end_frame" };
const ref = { image_url: "https://x.test/r.png" };
const shots = [{ index: 1, prompt: "a", duration: "5" }];
const I2V: Validator = "kirinV3I2VParams";
const OMNI: Validator = "kirinV3OmniVideoParams";

const counterexamples: Record<string, [Validator, unknown]> = {
  "single-shot-requires-prompt": [I2V, i2v({ prompt: "  " })],
  "multi-shot-requires-shot-type": [I2V, i2v({ multi_shot: true, multi_prompt: shots })],
  "customize-requires-multi-prompt": [OMNI, omni({ multi_shot: true, shot_type: "customize" })],
  "image-or-image-tail": [I2V, { prompt: "p" }],
  "http-url": [I2V, i2v({ callback_url: "ftp://x.test/hook" })],
  "shot-duration-whole-seconds": [
    I2V,
    i2v({ multi_shot: true, shot_type: "customize", multi_prompt: [{ index: 1, prompt: "a", duration: "2.5" }] }),
  ],
  "one-first-frame": [OMNI, omni({ image_list: [ff, { ...ff }] })],
  "end-frame-requires-first-frame": [OMNI, omni({ image_list: [ef] })],
  "end-frame-max-two-images": [OMNI, omni({ image_list: [ff, ef, ref] })],
  "reference-video-sound-off": [OMNI, omni({ sound: "on", video_list: [{ video_url: "https://x.test/v.mp4", refer_type: "feature" }] })],
  "video-edit-no-frames": [OMNI, omni({ image_list: [ff], video_list: [{ video_url: "https://x.test/v.mp4" }] })],
  "first-frame-max-three-elements": [OMNI, omni({ image_list: [ff], element_list: [1, 2, 3, 4].map((element_id) => ({ element_id })) })],
  "aspect-ratio-required": [OMNI, { prompt: "p", image_list: [ref] }],
  "task-output-only-when-completed": ["task", { id: "t", model: "m", status: "processing", output: [{ content: [] }] }],
  "task-error-only-when-failed": ["task", { id: "t", model: "m", status: "failed" }],
};

describe("rules stated in the schema", () => {
  const ids = [...new Set(Object.values(schemaRules).flatMap((r) => Object.values(r).map((x) => x.id)))];

  it("each has a counterexample here", () => {
    expect(Object.keys(counterexamples).sort()).toEqual(ids.sort());
  });

  it.each(Object.entries(counterexamples))("%s fails its counterexample and nothing else", (id, [name, body]) => {
    const fn = validators[name];
    expect(fn(body)).toBe(false);
    const at = Object.entries(schemaRules[name])
      .filter(([, r]) => r.id === id)
      .map(([location]) => location);
    const inRule = (p: string) => at.some((loc) => p === loc || p.startsWith(`${loc}/`));
    for (const e of fn.errors) expect(inRule(e.schemaPath), e.schemaPath).toBe(true);
  });

  it("keyword rules have counterexamples too", () => {
    const cases: [Validator, unknown, string][] = [
      [I2V, i2v({ prompt: "x".repeat(2501) }), "maxLength"],
      [I2V, i2v({ negative_prompt: "x".repeat(2501) }), "maxLength"],
      [I2V, i2v({ duration: 7 }), "type"],
      [I2V, i2v({ duration: "16" }), "enum"],
      [I2V, i2v({ mode: "turbo" }), "enum"],
      [I2V, i2v({ sound: true }), "type"],
      [I2V, i2v({ aspect_ratio: "16:9" }), "additionalProperties"],
      [I2V, i2v({ element_list: [1, 2, 3, 4].map((element_id) => ({ element_id })) }), "maxItems"],
      [I2V, i2v({ element_list: [{ element_id: "12" }] }), "type"],
      [I2V, i2v({ image: "" }), "minLength"],
      [I2V, i2v({ multi_shot: true, shot_type: "customize", multi_prompt: [] }), "minItems"],
      [I2V, i2v({ multi_shot: true, shot_type: "customize", multi_prompt: Array(7).fill(shots[0]) }), "maxItems"],
      [
        I2V,
        i2v({ multi_shot: true, shot_type: "customize", multi_prompt: [{ index: 1, prompt: "x".repeat(513), duration: "5" }] }),
        "maxLength",
      ],
      [I2V, i2v({ multi_shot: true, shot_type: "single" }), "enum"],
      [I2V, i2v({ watermark_info: [true] }), "type"],
      [OMNI, omni({ video_list: [{ video_url: "https://x.test/a.mp4" }, { video_url: "https://x.test/b.mp4" }] }), "maxItems"],
      [OMNI, omni({ video_list: [{ video_url: "https://x.test/a.mp4", refer_type: "style" }] }), "enum"],
      [OMNI, omni({ video_list: [{ video_url: "https://x.test/a.mp4", keep_original_sound: true }] }), "type"],
      [OMNI, omni({ image_list: [{ image_url: "https://x.test/a.png", type: "middle" }] }), "enum"],
      [OMNI, omni({ image_list: [{ type: "first_frame" }] }), "required"],
      [OMNI, omni({ aspect_ratio: "4:3" }), "enum"],
      ["envelope", { model: "kirin_v3_omni_video", input: [{ params: {} }, { params: {} }] }, "maxItems"],
      ["envelope", { model: "kirin_v4", input: [{ params: {} }] }, "enum"],
      ["envelope", { model: "kirin_v3_i2v", input: [{}] }, "required"],
    ];
    for (const [name, body, keyword] of cases) {
      const fn = validators[name];
      expect(fn(body), JSON.stringify(body).slice(0, 120)).toBe(false);
      expect(fn.errors.map((e) => e.keyword)).toContain(keyword);
    }
  });
});
