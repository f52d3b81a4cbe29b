// Writes docs/rules.md from the contract (generated/openapi.json), the rule examples
// (docs/rule-examples.yaml) and what validateRequest answers for them, so the page cannot drift
// from the schema, the rules or their messages. Run by `npm run docs`; test/docs/guides.test.ts
// fails when the committed page differs from what this renders.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { validateRequest } from "../src/index.js";
import { base64, gif, png } from "../test/unit/image-fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: the bundled contract, walked as loose JSON
type Json = Record<string, any>;
export interface RuleExample {
  valid: Json;
  invalid: Json;
}

const MODELS = { kirin_v3_i2v: "KirinV3I2VParams", kirin_v3_omni_video: "KirinV3OmniVideoParams" } as const;
type Model = keyof typeof MODELS;
const IMAGE = /^\$(png|gif) (\d+)x(\d+)(?: (\d+))?$/;

const at = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const spec = JSON.parse(readFileSync(at("generated/openapi.json"), "utf8"));
export const examples: Record<string, RuleExample> = parse(readFileSync(at("docs/rule-examples.yaml"), "utf8"));

/** Every request rule of a model: those the schema states (`x-kirin-rule`) and `x-kirin-rules`. */
export function rulesOf(model: Model): { id: string; description: string; severity: string; where: "schema" | "runtime" }[] {
  const params = spec.components.schemas[MODELS[model]];
  const found = new Map<string, { id: string; description: string; severity: string; where: "schema" | "runtime" }>();
  const walk = (node: unknown, seen: Set<unknown>): void => {
    if (!node || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    const n = node as Json;
    if (typeof n.$ref === "string") return walk(spec.components.schemas[n.$ref.split("/").pop()!], seen);
    if (typeof n["x-kirin-rule"] === "string") {
      found.set(n["x-kirin-rule"], { id: n["x-kirin-rule"], description: n.description, severity: "error", where: "schema" });
    }
    for (const [key, value] of Object.entries(n)) if (key !== "x-kirin-rules") walk(value, seen);
  };
  walk(params, new Set());
  for (const r of params["x-kirin-rules"]) found.set(r.id, { ...r, where: "runtime" });
  return [...found.values()];
}

/** Each image an example names, made once: several examples use the same 10 MB image. */
const made = new Map<string, string>();

/** The example with each `$png WxH [BYTES]` / `$gif WxH` made into real Base64. */
export function materialise(value: unknown): unknown {
  if (typeof value === "string") {
    const m = IMAGE.exec(value);
    if (!m) return value;
    const [, kind, w, h, size] = m;
    if (!made.has(value))
      made.set(value, base64(kind === "gif" ? gif(Number(w), Number(h)) : png(Number(w), Number(h), size ? Number(size) : undefined)));
    return made.get(value)!;
  }
  if (Array.isArray(value)) return value.map(materialise);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialise(v)]));
  }
  return value;
}

/** How the page shows an example: images as a short description, not kilobytes of Base64. */
function shown(body: Json): string {
  const text = JSON.stringify(body, null, 2);
  return text.replace(
    /"\$(png|gif) (\d+)x(\d+)(?: (\d+))?"/g,
    (_m, kind, w, h, size) => `"<Base64 ${kind.toUpperCase()}, ${w}x${h} px${size ? `, ${Number(size).toLocaleString("en")} bytes` : ""}>"`,
  );
}

/**
 * The member of a params schema's `allOf` that holds its fields (the one not tagged as a rule).
 * The contract keeps them in one place apart from the cross-field rules, so that generators of
 * other clients, which cannot read those rules, still get every field.
 */
export function fieldsOf(params: Json): Json {
  const fields = (params.allOf as Json[] | undefined)?.filter((member) => member.properties && !member["x-kirin-rule"]) ?? [];
  if (fields.length !== 1) throw new Error(`expected the fields in exactly one allOf member, found ${fields.length}`);
  return fields[0]!;
}

function parameterTable(model: Model): string {
  const params = fieldsOf(spec.components.schemas[MODELS[model]]);
  const rows: string[] = [];
  const resolve = (s: Json): Json => {
    if (!s?.$ref) return s ?? {};
    const { $ref, ...rest } = s;
    return { ...resolve(spec.components.schemas[$ref.split("/").pop()]), ...rest };
  };
  const describe = (name: string, raw: Json, required = false) => {
    const s = resolve(raw);
    const type = s.type === "array" ? `array of ${resolve(s.items).type ?? "items"}` : (s.type ?? "");
    const allowed = s.enum ? s.enum.map((v: unknown) => `\`${v}\``).join(", ") : s.const !== undefined ? `\`${s.const}\`` : "";
    const limits = [
      s.minLength !== undefined && `min length ${s.minLength}`,
      s.maxLength !== undefined && `max length ${s.maxLength}`,
      s.minItems !== undefined && `min ${s.minItems} items`,
      s.maxItems !== undefined && `max ${s.maxItems} items`,
      s.pattern !== undefined && `pattern \`${s.pattern}\``,
    ].filter(Boolean);
    const def = s.default === undefined ? "" : `\`${JSON.stringify(s.default)}\``;
    rows.push(`| \`${name}\`${required ? " (required)" : ""} | ${type} | ${allowed} | ${def} | ${limits.join(", ")} |`);
    const items = s.type === "array" ? resolve(s.items) : undefined;
    if (items?.properties) {
      for (const [k, v] of Object.entries(items.properties)) describe(`${name}[].${k}`, v as Json, items.required?.includes(k));
    }
    if (s.type === "object" && s.properties) {
      for (const [k, v] of Object.entries(s.properties)) describe(`${name}.${k}`, v as Json, s.required?.includes(k));
    }
  };
  for (const [name, schema] of Object.entries(params.properties)) describe(name, schema as Json);
  return ["| parameter | type | values | default | limits |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

export function renderRules(): string {
  const byId = new Map<string, { rule: ReturnType<typeof rulesOf>[number]; models: Model[] }>();
  for (const model of Object.keys(MODELS) as Model[]) {
    for (const rule of rulesOf(model)) {
      const entry = byId.get(rule.id) ?? { rule, models: [] };
      entry.models.push(model);
      byId.set(rule.id, entry);
    }
  }
  // In the order of docs/rule-examples.yaml, which groups the rules by model.
  const ordered = Object.keys(examples)
    .map((id) => byId.get(id))
    .filter((e) => e !== undefined);
  const missing = [...byId.keys()].filter((id) => !(id in examples));
  if (missing.length) throw new Error(`docs/rule-examples.yaml has no example for ${missing.join(", ")}`);
  const sections: string[] = [];
  for (const { rule, models } of ordered) {
    const example = examples[rule.id];
    if (!example) throw new Error(`docs/rule-examples.yaml has no example for ${rule.id}`);
    const issues = validateRequest(materialise(example.invalid)).issues.filter((i) => i.rule === rule.id);
    if (issues.length === 0) throw new Error(`the invalid example of ${rule.id} does not break it`);
    sections.push(`### \`${rule.id}\`

**${rule.severity}** · ${models.map((m) => `\`${m}\``).join(", ")} · ${
      rule.where === "schema" ? "stated in the request schema (`x-kirin-rule`)" : "checked by `src/rules/` (`x-kirin-rules`)"
    }

${rule.description}

Keeps the rule:

\`\`\`json
${shown(example.valid)}
\`\`\`

Breaks it:

\`\`\`json
${shown(example.invalid)}
\`\`\`

${issues.map((i) => `> \`${i.path || "/"}\` ${i.severity}: ${i.message}`).join("\n>\n")}
`);
  }
  return `<!-- Generated by \`npm run docs\` (docs/rules.ts) from the contract and docs/rule-examples.yaml. Do not edit. -->
# Request rules

Every rule a request must keep, with its stable id. \`validateRequest(body)\` (and the mock, and the
client before it sends anything) reports each broken rule as an issue:
\`{ path, rule, severity, message }\`, where \`path\` is a JSON Pointer into the flat body you wrote.
An \`error\` means the API would reject the request; a \`warning\` marks a value the API ignores.

Rules that JSON Schema can state live in the request schemas in \`openapi/\`, tagged
\`x-kirin-rule: <id>\`; the others are listed under \`x-kirin-rules\` and implemented once in
\`src/rules/\`. Search the repository for an id to find its statement, its code and its tests.
Plain schema limits (a type, an allowed value, a length) are reported with the keyword as the
rule: \`type\`, \`enum\`, \`max-length\`, \`max-items\`, \`required\`, \`additional-properties\`.

## Parameters

### \`kirin_v3_i2v\`

${parameterTable("kirin_v3_i2v")}

### \`kirin_v3_omni_video\`

${parameterTable("kirin_v3_omni_video")}

Not checked before sending, because a URL or an id cannot tell:
${(spec.components.schemas.KirinV3OmniVideoParams["x-kirin-not-enforced"] as string[]).map((t) => `- ${t}`).join("\n")}

## Rules

${sections.join("\n")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(at("docs/rules.md"), renderRules());
  console.log("docs/rules.md written");
}
