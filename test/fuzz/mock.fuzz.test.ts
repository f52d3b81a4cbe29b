// The mock over HTTP on whatever a stranger may send it: arbitrary JSON and bytes as a create's
// body, request-shaped bodies with prototype keys planted in them, task ids with broken
// percent-encoding, any method on any path. It never answers 500 (except in the two scenarios
// that ask for one, which are left out here), never logs an internal error, and every error it
// gives is in the contract's error envelope.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS } from "../../mock/core/scenarios.js";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { bytes, json, wireBody, withPrototypeKey, word } from "./arbitraries.js";

const CASES = { json: 300, bytes: 200, paths: 200, methods: 100 };

const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: "spec", components: spec.components });
const isErrorBody = ajv.compile({ $ref: "spec#/components/schemas/ErrorBody" });
const isCreateAnswer = ajv.compile({ $ref: "spec#/components/schemas/CreateTaskAnswer" });

// The scenarios that answer 500 on purpose are the only 500s the mock may give.
const SCENARIO_NAMES = SCENARIOS.map((s) => s.name).filter((name) => !name.startsWith("server-error"));
const header = fc.option(fc.oneof(fc.constantFrom(...SCENARIO_NAMES), word), { nil: undefined });

const logs: string[] = [];
let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.2, log: (line) => logs.push(line) });
});
afterAll(() => mock.close());

async function send(method: string, path: string, body?: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { authorization: "Bearer fuzz", ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    ...(body !== undefined && { body }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** What every answer to the API's paths must be: no 500, errors in the envelope, no internal error logged. */
function sound(res: { status: number; body: unknown; text: string }, what: string) {
  expect(res.status, what).not.toBe(500);
  expect(res.status).toBeLessThan(600);
  if (res.status >= 400) expect(isErrorBody(res.body), `${res.status} ${res.text}`).toBe(true);
  expect(logs.filter((l) => l.startsWith("internal error"))).toEqual([]);
}

describe("the mock never answers 500 and always answers in the contract's envelope", () => {
  it(`on ${CASES.json} creates with arbitrary JSON, request-shaped or with a prototype key planted, and any scenario and shapes header`, async () => {
    const body = fc.oneof(
      json.map((v) => JSON.stringify(v)),
      wireBody.map((v) => JSON.stringify(v)),
      withPrototypeKey(wireBody).map((p) => p.text),
    );
    await fc.assert(
      fc.asyncProperty(body, header, fc.option(word, { nil: undefined }), async (text, scenario, shapes) => {
        const headers = {
          ...(scenario !== undefined && { "x-kirin-mock-scenario": scenario }),
          ...(shapes !== undefined && { "x-kirin-mock-shapes": shapes }),
        };
        const res = await send("POST", "/model/v1/generation", text, headers);
        sound(res, text);
        if (res.status === 200) expect(isCreateAnswer(res.body), res.text).toBe(true);
      }),
      { numRuns: CASES.json },
    );
  });

  it(`on ${CASES.bytes} creates with arbitrary bytes`, async () => {
    await fc.assert(
      fc.asyncProperty(bytes, async (raw) => {
        const res = await send("POST", "/model/v1/generation", raw);
        sound(res, Buffer.from(raw).toString("hex"));
        expect(res.status).toBe(400);
      }),
      { numRuns: CASES.bytes },
    );
  });

  it(`on ${CASES.paths} task ids with broken or odd percent-encoding`, async () => {
    const piece = fc.oneof(
      fc.constantFrom("%", "%E0", "%A4%A", "%zz", "%2F", "%00", "%C0%80", "%ED%A0%80", "%F4%90%80%80", "%%", "%25"),
      fc.string({ minLength: 1, maxLength: 6 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), async (pieces) => {
        const res = await send("GET", `/model/v1/generation/task/${pieces.join("")}`);
        sound(res, pieces.join(""));
        expect([400, 404]).toContain(res.status);
      }),
      { numRuns: CASES.paths },
    );
  });

  it(`on ${CASES.methods} requests with any method on the API's paths`, async () => {
    const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    const path = fc.oneof(
      fc.constantFrom("/model/v1/generation", "/model/v1/generation/task/abc", "/model/v1/generation/task/", "/model/v1", "/x"),
      word.map((w) => `/${encodeURIComponent(w)}`),
    );
    await fc.assert(
      fc.asyncProperty(method, path, fc.option(json, { nil: undefined }), async (verb, where, body) => {
        const res = await send(verb, where, verb === "GET" || body === undefined ? undefined : JSON.stringify(body));
        sound(res, `${verb} ${where}`);
      }),
      { numRuns: CASES.methods },
    );
  });
});
