// parseCallback and the callback handler on whatever reaches a public callback URL: a task comes out
// in the documented form, or KirinValidationError - nothing else is ever thrown, and the handler
// answers 200 or 400, never 500. What comes out holds no prototype key, and can be serialised.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCallbackHandler, parseCallback } from "../../src/callbacks.js";
import { KirinValidationError } from "../../src/errors.js";
import { PROTOTYPE_KEYS } from "../../src/json.js";
import type { Task } from "../../src/types.js";
import { bytes, deeplyNested, json, taskBody, withPrototypeKey } from "./arbitraries.js";

const CASES = { json: 1_000, bytes: 500, shaped: 1_000, prototype: 500, deep: 100, handler: 300 };

/** A task, or the one error parseCallback may throw; anything else fails the test. */
function outcome(body: unknown): { task: Task } | { issues: string[] } {
  try {
    return { task: parseCallback(body) };
  } catch (error) {
    expect(error).toBeInstanceOf(KirinValidationError);
    return { issues: (error as KirinValidationError).issues.map((i) => `${i.rule} ${i.path}`) };
  }
}

/** No prototype key at any depth, plain prototypes, and JSON.stringify works. */
function safeTask(task: Task) {
  expect(typeof task.id).toBe("string");
  expect(task.id.trim()).not.toBe("");
  expect(typeof task.status).toBe("string");
  const stack: unknown[] = [task];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(node));
    for (const key of Object.keys(node)) {
      expect(PROTOTYPE_KEYS.has(key)).toBe(false);
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  expect(() => JSON.stringify(task)).not.toThrow();
}

const check = (body: unknown) => {
  const result = outcome(body);
  if ("task" in result) safeTask(result.task);
  return result;
};

describe("parseCallback reads a task or throws KirinValidationError, nothing else", () => {
  it(`on ${CASES.json} arbitrary JSON values, as values and as text, with the same result`, () => {
    fc.assert(
      fc.property(json, (value) => {
        // A string is read as JSON text itself, so only other values have a text form to compare.
        const result = check(value);
        if (typeof value !== "string") expect(check(JSON.stringify(value))).toEqual(result);
      }),
      { numRuns: CASES.json },
    );
  });

  it(`on ${CASES.bytes} arbitrary byte strings`, () => {
    fc.assert(
      fc.property(bytes, (raw) => void check(raw)),
      { numRuns: CASES.bytes },
    );
  });

  it(`on ${CASES.shaped} task-shaped bodies`, () => {
    fc.assert(
      fc.property(taskBody, (body) => void check(JSON.stringify(body))),
      { numRuns: CASES.shaped },
    );
  });
});

describe("prototype keys and deep nesting", () => {
  it(`a prototype key planted anywhere in ${CASES.prototype} task bodies changes nothing: it is dropped`, () => {
    fc.assert(
      fc.property(
        taskBody.chain((body) => withPrototypeKey(fc.constant(body)).map((planted) => ({ body, ...planted }))),
        ({ body, text }) => {
          expect(check(text)).toEqual(check(JSON.stringify(body)));
        },
      ),
      { numRuns: CASES.prototype },
    );
  });

  it(`${CASES.deep} tasks with a field nested 65 to 20,000 levels deep are refused with max-depth`, () => {
    fc.assert(
      fc.property(deeplyNested, fc.constantFrom("metadata", "output", "usage", "extra"), (nested, field) => {
        const result = outcome(`{"id":"t1","status":"completed","${field}":${nested}}`);
        expect(result).toEqual({ issues: [expect.stringMatching(new RegExp(`^max-depth /${field}/`))] });
      }),
      { numRuns: CASES.deep },
    );
  });
});

describe("the callback handler answers 200 or 400, never 500", () => {
  it(`on ${CASES.handler} arbitrary bodies`, async () => {
    const handler = createCallbackHandler(() => {});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          bytes,
          taskBody.map((b) => new TextEncoder().encode(JSON.stringify(b))),
        ),
        async (raw) => {
          const res = await handler(new Request("https://me.example/kirin", { method: "POST", body: raw }));
          expect([200, 400]).toContain(res.status);
          const answer = await res.json();
          expect(res.status === 200 ? answer.received : answer.error.code).toBe(res.status === 200 ? true : "invalid_request");
        },
      ),
      { numRuns: CASES.handler },
    );
  });
});
