// One verdict for a request: first the contract's schemas (every rule JSON Schema can state, read
// by ./json-schema), then the runtime rules of ./rules (the ones it cannot). The client checks the
// flat body a user writes; the mock checks the wire envelope; both go through `check` below.
import { type ContractSchema, envelope, kirinV3I2VParams, kirinV3OmniVideoParams } from "../generated/json-schemas.js";
import { defineField, PROTOTYPE_KEYS } from "./json.js";
import { type SchemaError, schemaErrors } from "./json-schema.js";
import { childPointer, valueAt } from "./pointer.js";
import { type Model, runRules } from "./rules/index.js";
import { eachPrototypeKey, prototypeKeyMessage, prototypeKeyRule } from "./rules/prototype-keys.js";
import { fieldName, isObject, type Params, show } from "./rules/shared.js";
import type { ValidationIssue, ValidationResult } from "./types.js";

const SCHEMAS: Record<Model, ContractSchema> = { kirin_v3_i2v: kirinV3I2VParams, kirin_v3_omni_video: kirinV3OmniVideoParams };
const MODELS = Object.keys(SCHEMAS);

/** Validates the flat body `{ model, ...params }`; issue paths point into it (`/multi_prompt/2/duration`). */
export function validateRequest(body: unknown): ValidationResult {
  return guarded((issues) => {
    const flat = plain(body, "", issues);
    if (!isObject(flat)) {
      issues.push(issue("", "type", `The request is ${show(flat)}; expected an object { model, ...params }.`));
      return;
    }
    const model = flat.model;
    // A `__proto__` field is defined, not assigned: it stays a field, for the rules to report.
    const params: Params = {};
    for (const key of Object.keys(flat)) {
      if (PROTOTYPE_KEYS.has(key)) defineField(params, key, flat[key]);
      else if (key !== "model") params[key] = flat[key];
    }
    if (MODELS.includes(model as string)) check(model as Model, params, "", issues);
    else {
      const given = model === undefined ? "is missing" : `is ${show(model)}`;
      issues.push(issue("/model", model === undefined ? "required" : "enum", `\`model\` ${given}; allowed: ${MODELS.join(", ")}.`));
      prototypeKeys(flat, undefined, issues);
    }
  });
}

/** Validates the wire body `{ model, input: [ { params } ] }`; paths point into it (`/input/0/params/prompt`). */
export function validateWireRequest(body: unknown): ValidationResult {
  return guarded((issues) => {
    const wire = plain(body, "", issues);
    issues.push(...schemaIssues(schemaErrors(envelope.schema, wire), {}, wire, "the request envelope"));
    const model = isObject(wire) && MODELS.includes(wire.model as string) ? (wire.model as Model) : undefined;
    const input = model && isObject(wire) && Array.isArray(wire.input) ? wire.input[0] : undefined;
    const params = isObject(input) ? input.params : undefined;
    if (model && isObject(params)) check(model, params, "/input/0/params", issues);
    // The rules searched the params; the envelope around them is searched here.
    prototypeKeys(wire, isObject(params) ? params : undefined, issues);
  });
}

/** A prototype key outside the params the rules saw is the same rule's issue. */
function prototypeKeys(body: unknown, searched: Params | undefined, issues: ValidationIssue[]) {
  eachPrototypeKey(
    body,
    (path) => issues.push({ path, rule: prototypeKeyRule.id, message: prototypeKeyMessage(path), severity: "error" }),
    "",
    searched,
  );
}

/** The core both entry points share: schema, then runtime rules; paths get `base` in front. */
function check(model: Model, params: Params, base: string, issues: ValidationIssue[]) {
  const { schema, rules } = SCHEMAS[model];
  for (const found of schemaIssues(schemaErrors(schema, params), rules, params, model)) issues.push({ ...found, path: base + found.path });
  // The rules run even after schema errors: they read fields defensively and still find the rest.
  runRules(model, params, (path, rule, message) => issues.push({ path: base + path, rule: rule.id, message, severity: rule.severity }));
}

function guarded(run: (issues: ValidationIssue[]) => void): ValidationResult {
  const issues: ValidationIssue[] = [];
  try {
    run(issues);
  } catch (error) {
    // Never throw at a caller: a bug here must not take down the app or the mock.
    issues.push(issue("", "internal-error", `The validator failed: ${reason(error)}.`));
  }
  return { valid: !issues.some((i) => i.severity === "error"), issues };
}

/** An error's message; a thrown value may itself be hostile (a throwing getter or toString). */
function reason(error: unknown): string {
  try {
    return String((error as Error)?.message ?? error);
  } catch {
    return "unknown error";
  }
}

const issue = (path: string, rule: string, message: string): ValidationIssue => ({ path, rule, message, severity: "error" });

/**
 * Reads the body once into plain objects and arrays. Getters and proxies are touched once, here,
 * inside a try: one that throws becomes an issue at its path. Below the deepest level the schema
 * looks at, objects are cut to empty ones, so a cyclic or absurdly deep body cannot hang anything.
 */
function plain(v: unknown, path: string, issues: ValidationIssue[], depth = 0): unknown {
  if (typeof v !== "object" || v === null) return v;
  let keys: string[];
  let copy: Params | unknown[];
  try {
    if (Array.isArray(v)) {
      // No list of a request holds more than 7 items; a huge (or sparse 2^32) array is not walked.
      if (v.length > 1000) {
        issues.push(issue(path, "max-items", `${fieldName(path)} has ${v.length} items; no list of a request has more than 7.`));
        return [];
      }
      copy = [];
      keys = Array.from(v, (_, i) => String(i));
    } else {
      copy = {};
      keys = Object.keys(v);
    }
  } catch (error) {
    unreadable(issues, path, error); // a revoked proxy, a throwing ownKeys trap
    return undefined;
  }
  if (depth > 7) return copy;
  for (const key of keys) {
    const at = childPointer(path, key);
    try {
      const value = plain((v as Params)[key], at, issues, depth + 1);
      // Assigned, `__proto__` would become the copy's prototype and its fields look like the copy's.
      if (PROTOTYPE_KEYS.has(key)) defineField(copy, key, value);
      else (copy as Params)[key] = value;
    } catch (error) {
      unreadable(issues, at, error);
    }
  }
  return copy;
}

function unreadable(issues: ValidationIssue[], path: string, error: unknown) {
  issues.push(issue(path, "unreadable", `${fieldName(path)} could not be read: ${reason(error)}.`));
}

/**
 * Schema errors to issues. An error at or under a schema location tagged `x-kirin-rule` gets that
 * rule's id and description; others get a kebab-case id from the keyword. `if` wrappers are
 * dropped and an `anyOf` speaks for its alternatives' errors, so one broken rule is one issue (a
 * `contains` error comes alone: json-schema keeps no errors of the items it tried).
 */
function schemaIssues(errors: SchemaError[], rules: Record<string, { id: string; description: string }>, data: unknown, owner: string) {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  const wrappers = errors.filter((e) => e.keyword === "anyOf").map((e) => `${e.schemaPath}/`);
  for (const error of errors) {
    if (error.keyword === "if" || wrappers.some((w) => error.schemaPath.startsWith(w))) continue;
    // A prototype key is not just an unknown field: no-prototype-keys reports it, once.
    if (error.keyword === "additionalProperties" && PROTOTYPE_KEYS.has(error.params.additionalProperty as string)) continue;
    // An anyOf shows its first alternative: image-or-image-tail reads "`image` is missing".
    const shown = (error.keyword === "anyOf" && errors.find((e) => e.schemaPath.startsWith(`${error.schemaPath}/`))) || error;
    const location = Object.keys(rules)
      .filter((at) => error.schemaPath === at || error.schemaPath.startsWith(`${at}/`))
      .sort((a, b) => b.length - a.length)[0];
    const rule = location ? rules[location] : undefined;
    const extra = (shown.params.missingProperty ?? shown.params.additionalProperty) as string | undefined;
    const path = extra === undefined ? shown.instancePath : childPointer(shown.instancePath, extra);
    const id = rule?.id ?? shown.keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const key = rule ? `${path} ${id}` : path; // one keyword issue per field: no "enum" after "type"
    if (seen.has(key)) continue;
    seen.add(key);
    // The generator keeps only a rule's first sentence, on one line: it is quoted as it is.
    const sentence = rule ? ` ${rule.description}` : "";
    out.push(issue(path, id, `${say(shown, path, valueAt(data, shown.instancePath), owner)}.${sentence}`));
  }
  return out;
}

/** What was given and what is allowed, for one schema error. */
function say(e: SchemaError, path: string, value: unknown, owner: string): string {
  const name = fieldName(path);
  const p = e.params as Record<string, unknown> & { limit: number };
  // Code points, as the schema counts; computed only for the errors that show a count.
  const count = () => (Array.isArray(value) ? value.length : typeof value === "string" ? [...value].length : 0);
  switch (e.keyword) {
    case "required":
      return `${name} is missing`;
    case "additionalProperties":
      return e.instancePath ? `${name} is not a field of ${fieldName(e.instancePath)}` : `${name} is not a parameter of ${owner}`;
    case "type":
      return `${name} is ${show(value)}; expected ${/^[aeiou]/.test(String(p.type)) ? "an" : "a"} ${p.type}`;
    case "enum":
    case "const":
      return `${name} is ${show(value)}; allowed: ${[(p.allowedValues as unknown[]) ?? p.allowedValue].flat().join(", ")}`;
    case "maxLength":
    case "minLength":
    case "maxItems":
    case "minItems":
      return `${name} has ${count()} ${e.keyword.endsWith("s") ? "items" : "characters"}; ${e.keyword.startsWith("max") ? `at most ${p.limit} are allowed` : `at least ${p.limit} required`}`;
    case "pattern":
      return `${name} is ${show(value)}, which does not match /${p.pattern}/`;
    case "contains": {
      // The contract's `contains` rules count images by `type`: show the types that were given.
      const types = Array.isArray(value) ? value.flatMap((i) => (isObject(i) && typeof i.type === "string" ? [show(i.type)] : [])) : [];
      const given = ` (types given: ${types.join(", ") || "none"})`;
      return `${name} has ${p.maxContains !== undefined ? "too many matching items" : "no matching item"}${given}`;
    }
    case "not": // the contract's `not`s forbid an image by its `type`: name it
      return `${name}${isObject(value) && value.type ? ` (\`type\` ${show(value.type)})` : ""} is not allowed here`;
    default:
      return `${name} breaks \`${e.keyword}\``;
  }
}
