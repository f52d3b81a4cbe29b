// Scenarios let a frontend show every state without code changes: ask for one per request with the
// `X-Kirin-Mock-Scenario` header, or by writing `[mock:NAME]` anywhere in a prompt. The list and
// what each one does are part of the contract (components/parameters/MockScenario.yaml).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./root.js";
import { scenariosOf } from "./scenario-list.mjs";

const contract = scenariosOf(JSON.parse(readFileSync(join(projectRoot(), "generated/openapi.json"), "utf8")));

/** `X-Kirin-Mock-Scenario`, as the contract spells it. */
export const SCENARIO_HEADER = contract.header;
/** `X-Kirin-Mock-Shapes`, as the contract spells it, and the values it takes. */
export const SHAPES_HEADER = contract.shapes.header;
const SHAPES = new Set(contract.shapes.values);

export interface Scenario {
  name: string;
  description: string;
}

/** Every scenario with the contract's description of it, as `--help` lists them. */
export const SCENARIOS: readonly Scenario[] = contract.list;

const NAMES = new Set(SCENARIOS.map((s) => s.name));
const MARKER = /\[mock:([a-z0-9-]+)\]/;

/**
 * The scenario a request asks for: the header wins, then the first `[mock:NAME]` in `prompt` or a
 * shot prompt. Undefined for none; throws for an unknown name so that a typo is not silent.
 */
export function scenarioOf(header: string | undefined, params?: unknown): string | undefined {
  let name = header?.trim() || undefined;
  if (!name && params && typeof params === "object") {
    const p = params as { prompt?: unknown; multi_prompt?: unknown };
    const shots = Array.isArray(p.multi_prompt) ? p.multi_prompt.map((s) => s?.prompt) : [];
    for (const text of [p.prompt, ...shots]) {
      const match = typeof text === "string" ? MARKER.exec(text) : null;
      if (match) {
        name = match[1];
        break;
      }
    }
  }
  if (name !== undefined && !NAMES.has(name)) throw new UnknownScenarioError(name);
  return name;
}

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`Unknown mock scenario "${scenario}"; known: ${[...NAMES].join(", ")}.`);
  }
}

/** The shapes a request asks for (`wire` or `documented`), undefined for none; throws for others. */
export function shapesOf(header: string | undefined): "wire" | "documented" | undefined {
  const name = header?.trim().toLowerCase() || undefined;
  if (name !== undefined && !SHAPES.has(name)) {
    throw new Error(`Unknown ${SHAPES_HEADER} "${name}"; known: ${[...SHAPES].join(", ")}.`);
  }
  return name as "wire" | "documented" | undefined;
}
