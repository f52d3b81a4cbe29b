// Checks a value against one of the contract's JSON Schemas (generated/json-schemas/), reporting
// every error. The schemas ship as data, with this reader, rather than compiled to code: Ajv's code
// for the same schemas is several times their size, which every page that checks a form pays for.
// Ajv stays the reference: test/unit/json-schema.test.ts fails on a keyword this reader does not
// know, and compares its errors with Ajv's (2020-12, allErrors) on the contract's examples and on
// generated bodies - same errors, same order, same fields (Ajv's errors for the items a `contains`
// tried are left out: this reader keeps none, and the verdict does not depend on them).
//
// Each schema is turned once into a tree of small checks (its paths, limits and patterns worked out
// ahead), so that checking a body does not read the schema again. The order is Ajv's, because
// src/validate keeps the first error a field gets: the keywords any value has (const, enum, not,
// anyOf, allOf, if), then those of numbers, strings, arrays and objects, each only for its type. A
// value of the wrong type gets its type error first, or - when the schema's one type has keywords
// of its own - where those keywords would have run, as Ajv reports it.
import { encodeSegment } from "./pointer.js";

/** A schema as generated/json-schemas/ holds it: assertions only, every `$ref` inlined. */
export interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  not?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  if?: Schema;
  then?: Schema;
  else?: Schema;
  maximum?: number;
  minimum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  items?: Schema;
  contains?: Schema;
  minContains?: number;
  maxContains?: number;
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, Schema>;
}

/** One broken keyword, in Ajv's error form: where in the value, where in the schema, and its values. */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Every keyword this reader implements; a test checks the generated schemas use no other. */
export const SCHEMA_KEYWORDS = [
  "type",
  "const",
  "enum",
  "not",
  "anyOf",
  "allOf",
  "if",
  "then",
  "else",
  "maximum",
  "minimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "items",
  "contains",
  "minContains",
  "maxContains",
  "required",
  "additionalProperties",
  "properties",
] as const satisfies readonly (keyof Schema)[];

type Check = (value: unknown, at: string, out: SchemaError[]) => void;
type Fail = (out: SchemaError[], at: string, keyword: string, params?: Record<string, unknown>) => void;
type Sub = (schema: Schema, keyword: string) => Check;

const TYPES: Record<string, (v: unknown) => boolean> = {
  number: (v) => typeof v === "number" && Number.isFinite(v),
  integer: Number.isInteger,
  string: (v) => typeof v === "string",
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  null: (v) => v === null,
};

// The keywords of each type of value, in the order Ajv checks them, and the check they make.
// Each check runs only on a value of its type, which it may then take for granted.
const GROUPS: [type: string, keywords: (keyof Schema)[], build: (s: Schema, fail: Fail, sub: Sub) => Check][] = [
  [
    "number",
    ["maximum", "minimum"],
    ({ maximum, minimum }, fail) =>
      (v, at, out) => {
        const n = v as number;
        if (maximum !== undefined && !(n <= maximum)) fail(out, at, "maximum", { comparison: "<=", limit: maximum });
        if (minimum !== undefined && !(n >= minimum)) fail(out, at, "minimum", { comparison: ">=", limit: minimum });
      },
  ],
  [
    "string",
    ["maxLength", "minLength", "pattern"],
    ({ maxLength, minLength, pattern }, fail) => {
      const regex = pattern === undefined ? undefined : new RegExp(pattern, "u");
      return (v, at, out) => {
        const text = v as string;
        if (maxLength !== undefined && codePoints(text, maxLength) > maxLength) fail(out, at, "maxLength", { limit: maxLength });
        if (minLength !== undefined && codePoints(text, minLength) < minLength) fail(out, at, "minLength", { limit: minLength });
        if (regex && !regex.test(text)) fail(out, at, "pattern", { pattern });
      };
    },
  ],
  [
    "array",
    ["maxItems", "minItems", "items", "contains"],
    ({ maxItems, minItems, items, contains, minContains = 1, maxContains }, fail, sub) => {
      const item = items && sub(items, "items");
      const match = contains && sub(contains, "contains");
      return (v, at, out) => {
        const list = v as unknown[];
        if (maxItems !== undefined && list.length > maxItems) fail(out, at, "maxItems", { limit: maxItems });
        if (minItems !== undefined && list.length < minItems) fail(out, at, "minItems", { limit: minItems });
        if (item) list.forEach((x, i) => item(x, `${at}/${i}`, out));
        if (match) {
          const count = list.filter((x) => holds(match, x)).length;
          if (count < minContains || (maxContains !== undefined && count > maxContains)) {
            fail(out, at, "contains", maxContains === undefined ? { minContains } : { minContains, maxContains });
          }
        }
      };
    },
  ],
  [
    "object",
    ["required", "additionalProperties", "properties"],
    ({ required = [], additionalProperties, properties = {} }, fail, sub) => {
      const fields = Object.entries(properties).map(
        ([key, schema]) => [key, `/${encodeSegment(key)}`, sub(schema, `properties/${key}`)] as const,
      );
      return (v, at, out) => {
        const object = v as Record<string, unknown>;
        for (const key of required) if (!has(object, key)) fail(out, at, "required", { missingProperty: key });
        if (additionalProperties === false) {
          for (const key of Object.keys(object))
            if (!Object.hasOwn(properties, key)) fail(out, at, "additionalProperties", { additionalProperty: key });
        }
        for (const [key, segment, check] of fields) if (has(object, key)) check(object[key], at + segment, out);
      };
    },
  ],
];

const compiled = new WeakMap<Schema, Check>();

/** The errors of `value` against `schema`; none when it is valid. */
export function schemaErrors(schema: Schema, value: unknown): SchemaError[] {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = compile(schema, "#")));
  const out: SchemaError[] = [];
  check(value, "", out);
  return out;
}

/** The checks of one schema, at schema location `sp`, in Ajv's order. */
function compile(s: Schema, sp: string): Check {
  const fail: Fail = (out, at, keyword, params = {}) => out.push({ instancePath: at, schemaPath: `${sp}/${keyword}`, keyword, params });
  const sub: Sub = (child, keyword) => compile(child, `${sp}/${keyword}`);
  const checks: Check[] = [];
  const types = s.type === undefined ? [] : [s.type].flat();
  const uses = (keywords: (keyof Schema)[]) => keywords.some((k) => s[k] !== undefined);
  // A type whose own keywords are present is reported where those keywords would have run.
  const typed = types.length === 1 ? GROUPS.find(([type, keywords]) => type === types[0] && uses(keywords)) : undefined;
  if (types.length && !typed) {
    const tests = types.map((type) => TYPES[type]!);
    checks.push((v, at, out) => tests.some((is) => is(v)) || fail(out, at, "type", { type: s.type }));
  }
  const { const: constant, enum: allowed, not, anyOf, allOf, if: condition, then, else: otherwise } = s;
  if (constant !== undefined) checks.push((v, at, out) => v === constant || fail(out, at, "const", { allowedValue: constant }));
  if (allowed !== undefined) checks.push((v, at, out) => allowed.includes(v) || fail(out, at, "enum", { allowedValues: allowed }));
  if (not !== undefined) {
    const forbidden = sub(not, "not");
    checks.push((v, at, out) => holds(forbidden, v) && fail(out, at, "not"));
  }
  if (anyOf !== undefined) {
    const branches = anyOf.map((branch, i) => sub(branch, `anyOf/${i}`));
    // Every alternative's errors stay (src/validate shows the first one) unless one alternative holds.
    checks.push((v, at, out) => {
      const mark = out.length;
      for (const branch of branches) {
        const before = out.length;
        branch(v, at, out);
        if (out.length === before) return void (out.length = mark);
      }
      fail(out, at, "anyOf");
    });
  }
  if (allOf !== undefined) {
    const members = allOf.map((member, i) => sub(member, `allOf/${i}`));
    checks.push((v, at, out) => {
      for (const member of members) member(v, at, out);
    });
  }
  if (condition !== undefined) {
    const test = sub(condition, "if");
    const whenTrue = then && sub(then, "then");
    const whenFalse = otherwise && sub(otherwise, "else");
    checks.push((v, at, out) => {
      const pass = holds(test, v);
      const before = out.length;
      (pass ? whenTrue : whenFalse)?.(v, at, out);
      if (out.length > before) fail(out, at, "if", { failingKeyword: pass ? "then" : "else" });
    });
  }
  for (const [type, keywords, build] of GROUPS) {
    if (!uses(keywords)) continue;
    const is = TYPES[type]!;
    const check = build(s, fail, sub);
    const reportType = typed?.[0] === type;
    checks.push((v, at, out) => (is(v) ? check(v, at, out) : reportType && fail(out, at, "type", { type: s.type })));
  }
  if (checks.length === 1) return checks[0]!;
  return (v, at, out) => {
    for (const check of checks) check(v, at, out);
  };
}

/** Whether `value` is valid against a check; its errors are not kept (`not`, `if`, `contains`). */
function holds(check: Check, value: unknown): boolean {
  const errors: SchemaError[] = [];
  check(value, "", errors);
  return errors.length === 0;
}

/** A field that is there: own, and not undefined (which JSON cannot send). */
const has = (object: Record<string, unknown>, key: string) => Object.hasOwn(object, key) && object[key] !== undefined;

/**
 * A string's length in code points, as JSON Schema counts. A string of n UTF-16 units has at least
 * n/2 code points, so past twice the limit no verdict can change: a 13 MB Base64 image is not walked.
 */
function codePoints(text: string, limit: number): number {
  if (text.length > 2 * limit) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}
