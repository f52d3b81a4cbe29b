// src/json-schema reads the contract's schemas instead of Ajv's compiled code. Ajv (2020-12,
// allErrors) is the reference: on the contract's named examples, on bodies built from each schema's
// own fields, values and limits, and on arbitrary JSON, both must report the same errors in the same
// order with the same fields. Also: the generated schemas use no keyword the reader does not know.
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as contract from "../../generated/json-schemas.js";
import { SCHEMA_KEYWORDS, type Schema, schemaErrors } from "../../src/json-schema.js";
import { json, taskBody, wireBody } from "../fuzz/arbitraries.js";

const schemas = {
  envelope: contract.envelope.schema,
  kirinV3I2VParams: contract.kirinV3I2VParams.schema,
  kirinV3OmniVideoParams: contract.kirinV3OmniVideoParams.schema,
  task: contract.task.schema,
};
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const compiled = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]));

/**
 * Ajv's errors in the reader's form. Ajv also leaves the errors of items a failed `contains` looked
 * at; the reader keeps none of them (the `contains` error speaks for them in src/validate).
 */
function ajvErrors(name: string, value: unknown) {
  const validate = compiled[name]!;
  validate(value);
  return (validate.errors ?? [])
    .filter((e: ErrorObject) => !/\/contains\//.test(e.schemaPath))
    .map(({ instancePath, schemaPath, keyword, params }) => ({ instancePath, schemaPath, keyword, params }));
}

function agree(name: keyof typeof schemas, value: unknown) {
  expect(schemaErrors(schemas[name], value), JSON.stringify(value)?.slice(0, 300)).toEqual(ajvErrors(name, value));
}

/** Every keyword, field name and value a schema mentions, to build bodies that reach its rules. */
function vocabulary(schema: unknown) {
  const keys = new Set<string>(["unknown_field"]);
  const values: unknown[] = [null, true, false, 0, -1, 1, 1.5, 7, "", " ", "x", "12", "2.5", [], {}];
  const keywords = new Set<string>();
  const walk = (node: unknown, parent?: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n));
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (parent === "properties") {
        keys.add(key);
        walk(value);
        continue;
      }
      keywords.add(key);
      if (key === "enum") values.push(...(value as unknown[]));
      else if (key === "const") values.push(value);
      else if (key === "required") (value as string[]).forEach((k) => keys.add(k));
      else if (/^(max|min)Length$/.test(key)) values.push("é".repeat(value as number), "a".repeat((value as number) + 1));
      else if (/^(maximum|minimum)$/.test(key)) values.push(value, (value as number) + 0.5, (value as number) - 1);
      else walk(value, key);
    }
  };
  walk(schema);
  return { keys: [...keys], values, keywords };
}

/** Bodies made of a schema's own fields and values, nested as deep as its objects and lists go. */
function bodiesOf(schema: Schema) {
  const { keys, values } = vocabulary(schema);
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 4, arbitrary: fc.constantFrom(...values) },
      { weight: 2, arbitrary: tie("object") },
      { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(tie("object"), { maxLength: 4 }) },
    ),
    object: fc.dictionary(fc.constantFrom(...keys), tie("value"), { maxKeys: 8 }),
  }));
  return fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 12 });
}

describe("json-schema", () => {
  it("knows every keyword the generated schemas use, and compares enums and consts by value only", () => {
    for (const schema of Object.values(schemas)) {
      const { keywords } = vocabulary(schema);
      expect([...keywords].filter((k) => !(SCHEMA_KEYWORDS as readonly string[]).includes(k))).toEqual([]);
    }
    const text = Object.values(schemas).map((s) => JSON.stringify(s));
    // `enum`/`const` values are compared with ===: objects or arrays there would need deep equality.
    for (const t of text) expect(t).not.toMatch(/"(enum|const)":(\{|\[[^\]]*[{[])/);
  });

  it("agrees with Ajv on every named example of the contract", () => {
    const bundle = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
    const examples = Object.values(bundle.components.examples as Record<string, { value: unknown }>).map((e) => e.value);
    expect(examples.length).toBeGreaterThan(20);
    for (const example of examples) {
      for (const name of Object.keys(schemas) as (keyof typeof schemas)[]) {
        agree(name, example);
        const params = (example as { input?: [{ params?: unknown }] })?.input?.[0]?.params;
        if (params !== undefined) agree(name, params);
      }
    }
  });

  it.each(Object.keys(schemas) as (keyof typeof schemas)[])("agrees with Ajv on bodies built from %s's own fields and values", (name) => {
    fc.assert(
      fc.property(bodiesOf(schemas[name]), (body) => agree(name, body)),
      { numRuns: 3000 },
    );
  });

  it("agrees with Ajv on arbitrary JSON, request bodies and task bodies", () => {
    fc.assert(
      fc.property(fc.oneof(json, wireBody, taskBody), (value) => {
        for (const name of Object.keys(schemas) as (keyof typeof schemas)[]) agree(name, value);
      }),
      { numRuns: 1500 },
    );
  });

  // The contract's schemas never make two keywords of one place fail together in a way that shows
  // their order; these do, for every pair the reader orders.
  const synthetic: Schema[] = [
    { type: "string", maxLength: 2, pattern: "^a", minLength: 5, enum: ["a", "bbb", 3] },
    { type: "integer", minimum: 0, maximum: -1, const: 2, enum: [3] },
    { type: "number", maximum: 1, not: { type: "number", minimum: 1.5 } },
    { type: ["string", "integer"], enum: ["a", 1] },
    { type: "array", minItems: 3, maxItems: 1, items: { type: "integer" }, contains: { const: 1 }, allOf: [{ maxItems: 0 }] },
    { type: "array", contains: { type: "object" }, minContains: 2, maxContains: 2 },
    {
      type: "object",
      required: ["a", "b"],
      additionalProperties: false,
      properties: { a: { type: "string" } },
      anyOf: [{ required: ["c"] }, { not: {} }],
    },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, never awaited
    { if: { type: "string" }, then: { minLength: 3 }, else: { type: "object", required: ["x"] }, allOf: [{ const: "ab" }] },
    { required: ["a"], maxLength: 1, maximum: 0, maxItems: 0 },
  ];
  const ajvOf = new Map(synthetic.map((schema) => [schema, ajv.compile(schema)]));
  const values = fc.oneof(
    json,
    fc.constantFrom("", "a", "ab", "abcdef", -1.5, 0.5, 1, 2, 3, [1], [1, 2], [{}, {}], [{}, {}, {}], { a: 1 }, { c: 1, d: 2 }, { x: 1 }),
  );

  it("agrees with Ajv on the order of errors in one place, for schemas made to show it", () => {
    fc.assert(
      fc.property(values, (value) => {
        for (const schema of synthetic) {
          const validate = ajvOf.get(schema)!;
          validate(value);
          const expected = (validate.errors ?? [])
            .filter((e) => !/\/contains\//.test(e.schemaPath))
            .map(({ instancePath, schemaPath, keyword, params }) => ({ instancePath, schemaPath, keyword, params }));
          expect(schemaErrors(schema, value), `${JSON.stringify(schema)} ${JSON.stringify(value)}`).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("counts lengths in code points, and still decides a string far past every limit", () => {
    const schema = { type: "string", minLength: 2, maxLength: 3 };
    expect(schemaErrors(schema, "😀😀😀")).toEqual([]);
    expect(schemaErrors(schema, "😀").map((e) => e.keyword)).toEqual(["minLength"]);
    expect(schemaErrors(schema, "😀😀😀😀").map((e) => e.keyword)).toEqual(["maxLength"]);
    const huge = "A".repeat(13_000_000);
    expect(schemaErrors({ type: "string", minLength: 1 }, huge)).toEqual([]);
    expect(schemaErrors(schema, huge).map((e) => e.keyword)).toEqual(["maxLength"]);
  });
});
