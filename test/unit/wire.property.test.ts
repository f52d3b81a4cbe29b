// Properties of the wire reader: whatever variant of a task the gateway sends (built here from
// the kinds of variant test/fixtures/wire/ and wire-variants.ts show, in any combination), the
// reader's result is the documented Task; on any JSON at all it never throws, and what it returns
// is documented field by field; reading twice changes nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readAnswer, readErrorBody, readTask } from "../../src/wire.js";
import { bundle, inlineValidator, schemaValidator } from "../support/contract.js";

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const words = (list: string[]) => fc.constantFrom(...list, ...list.map((w) => w.toUpperCase()));

const running = words(["pending", "processing", "in_progress", "in_queue", "queued", "running", "rendering_frames"]);
const done = words(["completed", "success", "succeeded"]);
const failed = words(["failed", "error", "cancelled"]);
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== "");
const decimal = fc.tuple(fc.nat(99), fc.nat(99_999)).map(([a, b]) => `${a}.${b}`);
const createdAt = fc.oneof(
  fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
);
const progress = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100 }));
const cost = fc.oneof(decimal, fc.double({ min: 0, max: 50, noNaN: true }), fc.constant(""));
const code = fc.oneof(
  fc.integer({ min: 0, max: 999_999_999 }),
  fc.stringMatching(/^[0-9]{1,9}$/),
  fc.constantFrom("006001094", "InvalidParameter"),
);
const content = fc.record(
  {
    type: opt(fc.constantFrom("video", "image")),
    url: fc.webUrl(),
    duration: opt(fc.oneof(fc.double({ min: 0, max: 60, noNaN: true }), decimal)),
    jobId: opt(text),
    id: opt(text),
    img_id: opt(text),
  },
  { requiredKeys: ["url"] },
);
const output = fc.array(fc.record({ content: fc.array(content, { maxLength: 3 }) }), { minLength: 1, maxLength: 2 });
const usage = fc.record(
  { cost: opt(cost), discount: opt(fc.double({ min: 0, max: 1, noNaN: true })), quantity: opt(fc.nat()) },
  { requiredKeys: [] },
);
const taskError = fc.oneof(
  text,
  fc
    .record({ code: opt(code), error_message: opt(text), message: opt(text), vendor_response: opt(fc.object()) }, { requiredKeys: [] })
    .filter((e) => e.code !== undefined || e.error_message !== undefined || e.message !== undefined),
);

const base = fc.record(
  {
    id: text,
    model: opt(text),
    progress: opt(progress),
    created_at: opt(createdAt),
    external_task_id: opt(text),
    metadata: opt(fc.object()),
  },
  { requiredKeys: ["id"] },
);
/** A task as the wire may carry it, with fields present as the gateway sends them for its status. */
const wireTask = fc.oneof(
  fc.tuple(base, running).map(([b, status]) => ({ ...b, status })),
  fc.tuple(base, done, output, opt(usage)).map(([b, status, o, u]) => ({ ...b, status, output: o, ...(u && { usage: u }) })),
  fc
    .tuple(base, failed, opt(taskError), opt(usage))
    .map(([b, status, e, u]) => ({ ...b, status, ...(e !== undefined && { error: e }), ...(u && { usage: u }) })),
);

const documented = schemaValidator("Task");
// The documented fields one by one, without the rules that tie them to the status.
const documentedFields = inlineValidator(bundle.components.schemas.Task.allOf[0]);
const clean = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("readTask", () => {
  it("reads every combination of the wire's variants into the documented Task", () => {
    const wire = schemaValidator("WireTask");
    fc.assert(
      fc.property(wireTask, (raw) => {
        const body = clean(raw);
        expect(wire(body), JSON.stringify(wire.errors)).toBe(true);
        const { task, issues } = readTask(body);
        expect(issues).toBeUndefined();
        expect(documented(task), JSON.stringify(documented.errors)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on any JSON, and what it returns is documented field by field", () => {
    const anyTask = fc
      .record({ id: fc.jsonValue(), status: fc.jsonValue() })
      .chain((head) =>
        fc
          .dictionary(fc.constantFrom("model", "progress", "created_at", "output", "usage", "error", "metadata", "extra"), fc.jsonValue())
          .map((rest) => ({ ...rest, ...head })),
      );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), anyTask), (body) => {
        const reading = readTask(body);
        if (reading.issues) expect(reading.issues.length).toBeGreaterThan(0);
        else expect(documentedFields(clean(reading.task)), JSON.stringify(documentedFields.errors)).toBe(true);
        expect(() => readAnswer(body)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it("is idempotent: reading its own result changes nothing", () => {
    fc.assert(
      fc.property(wireTask, (raw) => {
        const once = readTask(clean(raw)).task!;
        expect(readTask(once).task).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it("reads an error that is neither an object nor a code as its text, whatever its items' fields", () => {
    // String() of this list would call the item's `toString`, here a string: a TypeError.
    const error = [true, { toString: "x", valueOf: 1 }];
    const { task } = readTask({ id: "t", status: "failed", error });
    expect(task?.error).toEqual({ code: "unknown", error_message: JSON.stringify(error) });
    expect(readTask({ id: "t", status: "failed", error: "boom" }).task?.error).toEqual({ code: "unknown", error_message: "boom" });
  });

  it("keeps the model the request named when the answer has none", () => {
    expect(readTask({ id: "t", status: "in_progress" }, { model: "kirin_v3_i2v" }).task?.model).toBe("kirin_v3_i2v");
    expect(readTask({ id: "t", status: "in_progress", model: "other" }, { model: "kirin_v3_i2v" }).task?.model).toBe("other");
  });
});

describe("readErrorBody", () => {
  it("never throws, and finds the words of every envelope", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const words = readErrorBody(body);
        expect(words.message === undefined || typeof words.message === "string").toBe(true);
      }),
    );
    fc.assert(
      fc.property(text, fc.nat(), (message, n) => {
        for (const body of [
          { message },
          { error: message },
          { error: { message } },
          { error: { error_message: message, message: "other" } },
          { error: { code: n, message } },
          { status: { code: 402, message, error_code: n }, data: null },
        ]) {
          expect(readErrorBody(body).message).toBe(message);
        }
      }),
    );
  });
});
