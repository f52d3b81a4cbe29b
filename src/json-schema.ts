// Checks a value against one of the contract's JSON Schemas (generated/json-schemas/), reporting
// every error. The schemas ship as data, with this reader, rather than compiled to code: Ajv's code
// for the same schemas is several times their size, which every page that checks a form pays for.
// Ajv stays the reference: test/unit/json-schema.test.ts fails on a keyword this reader does not
// know, and compares its errors with Ajv's (2020-12, allErrors) on the contract's examples and on
// generated bodies - same errors, same order, same fields.
//
// The order is Ajv's, because src/validate keeps the first error a field gets: a type error before
// the keywords that cannot apply to the value, then the keywords any value has (const, enum, not,
// anyOf, allOf, if), then those of numbers, strings, arrays and objects, each only for its type.
import { childPointer } from "./pointer.js";

/** A schema as generated/schemas/ holds it: assertions only, every `$ref` inlined. */
export type Schema = { readonly [keyword: string]: unknown };

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
] as const;

type Value = Record<string, unknown> & unknown[];
type Check = (s: Schema, v: Value, at: string, sp: string, out: SchemaError[]) => void;

const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
const TYPES: Record<string, (v: unknown) => boolean> = {
  number: (v) => typeof v === "number" && Number.isFinite(v),
  integer: Number.isInteger,
  string: (v) => typeof v === "string",
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: isObject,
  null: (v) => v === null,
};

// The keywords of one type of value, in the order Ajv checks them.
const GROUPS: [type: string, keywords: string[], check: Check][] = [
  [
    "number",
    ["maximum", "minimum"],
    (s, v, at, sp, out) => {
      const n = v as unknown as number;
      if (s.maximum !== undefined && !(n <= (s.maximum as number))) fail(out, at, sp, "maximum", { comparison: "<=", limit: s.maximum });
      if (s.minimum !== undefined && !(n >= (s.minimum as number))) fail(out, at, sp, "minimum", { comparison: ">=", limit: s.minimum });
    },
  ],
  [
    "string",
    ["maxLength", "minLength", "pattern"],
    (s, v, at, sp, out) => {
      const text = v as unknown as string;
      const max = s.maxLength as number | undefined;
      const min = s.minLength as number | undefined;
      if (max !== undefined && codePoints(text, max) > max) fail(out, at, sp, "maxLength", { limit: max });
      if (min !== undefined && codePoints(text, min) < min) fail(out, at, sp, "minLength", { limit: min });
      if (s.pattern !== undefined && !regex(s.pattern as string).test(text)) fail(out, at, sp, "pattern", { pattern: s.pattern });
    },
  ],
  [
    "array",
    ["maxItems", "minItems", "items", "contains"],
    (s, v, at, sp, out) => {
      if (s.maxItems !== undefined && v.length > (s.maxItems as number)) fail(out, at, sp, "maxItems", { limit: s.maxItems });
      if (s.minItems !== undefined && v.length < (s.minItems as number)) fail(out, at, sp, "minItems", { limit: s.minItems });
      if (s.items !== undefined) v.forEach((item, i) => check(s.items as Schema, item, `${at}/${i}`, `${sp}/items`, out));
      if (s.contains !== undefined) {
        const min = (s.minContains as number | undefined) ?? 1;
        const max = s.maxContains as number | undefined;
        const count = v.filter((item) => holds(s.contains as Schema, item)).length;
        if (count < min || (max !== undefined && count > max)) {
          fail(out, at, sp, "contains", max === undefined ? { minContains: min } : { minContains: min, maxContains: max });
        }
      }
    },
  ],
  [
    "object",
    ["required", "additionalProperties", "properties"],
    (s, v, at, sp, out) => {
      for (const key of (s.required as string[] | undefined) ?? []) {
        if (!has(v, key)) fail(out, at, sp, "required", { missingProperty: key });
      }
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      if (s.additionalProperties === false) {
        for (const key of Object.keys(v)) {
          if (!Object.hasOwn(properties, key)) fail(out, at, sp, "additionalProperties", { additionalProperty: key });
        }
      }
      for (const key of Object.keys(properties)) {
        if (has(v, key)) check(properties[key]!, v[key], childPointer(at, key), `${sp}/properties/${key}`, out);
      }
    },
  ],
];

/** The errors of `value` against `schema`; none when it is valid. */
export function schemaErrors(schema: Schema, value: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  check(schema, value, "", "#", out);
  return out;
}

function check(s: Schema, value: unknown, at: string, sp: string, out: SchemaError[]): boolean {
  const start = out.length;
  const v = value as Value;
  const types = s.type === undefined ? [] : [s.type as string].flat();
  // A type whose own keywords are present is reported where those keywords would have run.
  const typed = types.length === 1 ? GROUPS.find(([type, keywords]) => type === types[0] && keywords.some((k) => k in s)) : undefined;
  if (types.length && !typed && !types.some((type) => TYPES[type]!(v))) fail(out, at, sp, "type", { type: s.type });

  if (s.const !== undefined && v !== s.const) fail(out, at, sp, "const", { allowedValue: s.const });
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(v)) fail(out, at, sp, "enum", { allowedValues: s.enum });
  if (s.not !== undefined && holds(s.not as Schema, v)) fail(out, at, sp, "not", {});
  if (s.anyOf !== undefined) {
    const mark = out.length;
    // Every alternative's errors stay (src/validate shows the first one) unless one alternative holds.
    if ((s.anyOf as Schema[]).some((branch, i) => check(branch, v, at, `${sp}/anyOf/${i}`, out))) out.length = mark;
    else fail(out, at, sp, "anyOf", {});
  }
  (s.allOf as Schema[] | undefined)?.forEach((member, i) => check(member, v, at, `${sp}/allOf/${i}`, out));
  if (s.if !== undefined) {
    const branch = holds(s.if as Schema, v) ? "then" : "else";
    const next = s[branch] as Schema | undefined;
    if (next !== undefined && !check(next, v, at, `${sp}/${branch}`, out)) fail(out, at, sp, "if", { failingKeyword: branch });
  }

  for (const group of GROUPS) {
    const [type, keywords, run] = group;
    if (!keywords.some((k) => k in s)) continue;
    if (TYPES[type]!(v)) run(s, v, at, sp, out);
    else if (group === typed) fail(out, at, sp, "type", { type: s.type });
  }
  return out.length === start;
}

/** Whether `value` is valid against `schema`; its errors are not kept (`not`, `if`, `contains`). */
const holds = (schema: Schema, value: unknown) => check(schema, value, "", "", []);

function fail(out: SchemaError[], instancePath: string, schemaPath: string, keyword: string, params: Record<string, unknown>) {
  out.push({ instancePath, schemaPath: `${schemaPath}/${keyword}`, keyword, params });
}

/** A field that is there: own, and not undefined (which JSON cannot send). */
const has = (object: Value, key: string) => Object.hasOwn(object, key) && object[key] !== undefined;

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

const regexes = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let compiled = regexes.get(pattern);
  if (!compiled) regexes.set(pattern, (compiled = new RegExp(pattern, "u")));
  return compiled;
}
