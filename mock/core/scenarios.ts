// Scenarios let a frontend show every state without code changes: ask for one per request with the
// `X-Kirin-Mock-Scenario` header, or by writing `[mock:NAME]` anywhere in a prompt. The list and
// what each one does are part of the contract (components/parameters/MockScenario.yaml); this
// module turns a request's words into a parsed ask, and rejects a name the contract does not know.
import { mockScenarios } from "../../generated/mock-scenarios.js";

/** `X-Kirin-Mock-Scenario`, as the contract spells it. */
export const SCENARIO_HEADER = mockScenarios.header;
/** `X-Kirin-Mock-Shapes`, as the contract spells it, and the values it takes. */
export const SHAPES_HEADER = mockScenarios.shapes.header;
const SHAPES = new Set(mockScenarios.shapes.values);

export interface Scenario {
  name: string;
  description: string;
}

/** Every scenario with the contract's description of it, as `--help` and the docs list them. */
export const SCENARIOS: readonly Scenario[] = mockScenarios.list;
/** The scenario names that take no number (`fail-at:P` and `NAME:N` forms are listed in SCENARIOS). */
export const SCENARIO_NAMES: readonly string[] = mockScenarios.names;

const NAMES = new Set(SCENARIO_NAMES);
/**
 * The HTTP-error scenarios: the gateway's own error answers, one envelope each (the contract's
 * ErrorBody). Each also comes as "fail the first N, then succeed" (`NAME:N`, `NAME-once`).
 */
export const HTTP_SCENARIOS: Record<
  string,
  { status: number; body?: unknown; code?: string; message?: string; headers?: Record<string, string> }
> = {
  "rate-limit": { status: 429, code: "rate_limited", message: "Too many requests; retry after 1 second.", headers: { "retry-after": "1" } },
  "server-error": { status: 500, code: "internal_error", message: "The server failed while handling the request." },
  unavailable: {
    status: 503,
    code: "service_unavailable",
    message: "The service is briefly unavailable; retry later.",
    headers: { "retry-after": "1" },
  },
  "insufficient-credits": { status: 402, body: { status: { code: 402, message: "Insufficient credits", error_code: 40201 }, data: null } },
  "unauthorized-string": { status: 401, body: { error: "Missing Token" } },
  "bad-request-message": { status: 400, body: { message: "bad request" } },
  "not-found-wrapper": { status: 404, body: { status: { code: 404, message: "missing" }, data: null } },
  "rate-limit-code": { status: 429, body: { error: { code: 1002, message: "rate limit exceeded" } }, headers: { "retry-after": "1" } },
  "server-error-message": { status: 500, body: { error: { error_message: "Task creation error" } } },
};
const COUNTABLE = new Set(Object.keys(HTTP_SCENARIOS));
const MARKER = /\[mock:([a-z0-9:,-]+)\]/;

/** What a request asked the mock to play, parsed. */
export interface ScenarioAsk {
  /** The words as asked, for logs and the admin surface. */
  text: string;
  /** An HTTP error to answer with, by scenario name (`rate-limit`), always or for the first `times`. */
  http?: { name: string; times?: number; share?: number };
  /** How the task runs and ends. */
  task: Set<string>;
  /** `fail-at:P`: fail when progress reaches P (0-1). */
  failAt?: number;
}

/**
 * The scenario a request asks for: the header wins, then the first `[mock:NAME]` in `prompt` or a
 * shot prompt. Undefined for none; throws for an unknown name so that a typo is not silent.
 */
export function scenarioOf(header: string | null | undefined, params?: unknown): ScenarioAsk | undefined {
  let text = header?.trim() || undefined;
  if (!text && params && typeof params === "object") {
    const p = params as { prompt?: unknown; multi_prompt?: unknown };
    const shots = Array.isArray(p.multi_prompt) ? p.multi_prompt.map((s) => (s as { prompt?: unknown } | null)?.prompt) : [];
    for (const prompt of [p.prompt, ...shots]) {
      const match = typeof prompt === "string" ? MARKER.exec(prompt) : null;
      if (match) {
        text = match[1];
        break;
      }
    }
  }
  return text === undefined ? undefined : parseScenario(text);
}

/** Parses `NAME`, `NAME-once`, `NAME:N`, `fail-at:P`, `rate-limit-share:P`, or several joined by commas. */
export function parseScenario(text: string): ScenarioAsk {
  const ask: ScenarioAsk = { text, task: new Set() };
  for (const part of text.split(",").map((s) => s.trim())) {
    const [name = "", arg] = part.split(":") as [string, string | undefined];
    const n = arg === undefined ? undefined : /^\d{1,3}$/.test(arg) ? Number(arg) : NaN;
    if (name === "fail-at" && n !== undefined && n <= 99) ask.failAt = n / 100;
    else if (name === "rate-limit-share" && n !== undefined && n >= 1 && n <= 100) ask.http = { name: "rate-limit", share: n / 100 };
    else if (COUNTABLE.has(name) && n !== undefined && n >= 1) ask.http = { name, times: n };
    else if (arg === undefined && name.endsWith("-once") && COUNTABLE.has(name.slice(0, -5)) && NAMES.has(name))
      ask.http = { name: name.slice(0, -5), times: 1 };
    else if (arg === undefined && COUNTABLE.has(name)) ask.http = { name };
    else if (arg === undefined && NAMES.has(name)) ask.task.add(name);
    else throw new UnknownScenarioError(part);
  }
  return ask;
}

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`Unknown mock scenario "${scenario}"; known: ${SCENARIOS.map((s) => s.name).join(", ")}.`);
  }
}

/** The shapes a request asks for (`wire` or `documented`), undefined for none; throws for others. */
export function shapesOf(header: string | null | undefined): "wire" | "documented" | undefined {
  const name = header?.trim().toLowerCase() || undefined;
  if (name !== undefined && !SHAPES.has(name)) {
    throw new Error(`Unknown ${SHAPES_HEADER} "${name}"; known: ${[...SHAPES].join(", ")}.`);
  }
  return name as "wire" | "documented" | undefined;
}
