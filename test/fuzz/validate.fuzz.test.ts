// validateRequest and validateWireRequest on whatever a caller or a client may hand them: they never
// throw, never fail inside (an `internal-error` issue is a bug caught by their guard), and every
// issue is well formed. A prototype key anywhere in a body is always an error with its rule.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateRequest, validateWireRequest } from "../../src/validate.js";
import { bytes, flatBody, json, wireBody, withPrototypeKey } from "./arbitraries.js";

const CASES = { json: 1_000, anything: 500, bytes: 500, shaped: 1_000, prototype: 500 };
const POINTER = /^(\/([^~/]|~[01])*)*$/;
const RULE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** What every verdict must be, whatever it was given. */
function wellFormed(result: ReturnType<typeof validateRequest>) {
  expect(typeof result.valid).toBe("boolean");
  for (const issue of result.issues) {
    expect(issue.rule).not.toBe("internal-error");
    expect(issue.rule).toMatch(RULE);
    expect(issue.path).toMatch(POINTER);
    expect(["error", "warning"]).toContain(issue.severity);
    expect(typeof issue.message).toBe("string");
  }
  expect(result.valid).toBe(!result.issues.some((i) => i.severity === "error"));
  expect(() => JSON.stringify(result)).not.toThrow();
}

const both = (body: unknown) => {
  wellFormed(validateRequest(body));
  wellFormed(validateWireRequest(body));
};

describe("validateRequest and validateWireRequest never throw and never fail inside", () => {
  it(`on ${CASES.json} arbitrary JSON values`, () => {
    fc.assert(fc.property(json, both), { numRuns: CASES.json });
  });

  it(`on ${CASES.anything} arbitrary JavaScript values (null prototypes, boxed values, sparse arrays, maps)`, () => {
    const anything = fc.anything({
      maxDepth: 4,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withBigInt: true,
      withDate: true,
    });
    fc.assert(fc.property(anything, both), { numRuns: CASES.anything });
  });

  it(`on ${CASES.bytes} arbitrary byte strings, parsed where they are JSON`, () => {
    fc.assert(
      fc.property(bytes, (raw) => {
        const text = new TextDecoder().decode(raw);
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the text itself is the body
        }
        both(body);
      }),
      { numRuns: CASES.bytes },
    );
  });

  it(`on ${CASES.shaped} bodies shaped like requests`, () => {
    fc.assert(fc.property(fc.oneof(flatBody, wireBody), both), { numRuns: CASES.shaped });
  });
});

describe("a prototype key anywhere is always an error with its rule", () => {
  const URL_IMAGE = "https://cdn.example.com/images/fox.jpg";
  const valid = [
    { model: "kirin_v3_i2v", image: URL_IMAGE, prompt: "A fox.", watermark_info: { enabled: true }, element_list: [{ element_id: 7 }] },
    {
      model: "kirin_v3_omni_video",
      aspect_ratio: "16:9",
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: [{ index: 1, prompt: "<<<image_1>>> runs.", duration: "5" }],
      image_list: [{ image_url: URL_IMAGE }],
      video_list: [{ video_url: "https://cdn.example.com/v.mp4", refer_type: "feature" }],
      sound: "off",
    },
  ];

  it("the bodies are valid to begin with", () => {
    for (const body of valid) expect(validateRequest(body)).toEqual({ valid: true, issues: [] });
  });

  it(`planted in any object of ${CASES.prototype} valid bodies, flat or wire, it is the one issue, at its path`, () => {
    const body = fc
      .constantFrom(...valid)
      .chain((flat) => fc.constantFrom(flat, (({ model, ...params }) => ({ model, input: [{ params }] }))(flat)));
    fc.assert(
      fc.property(withPrototypeKey(body), ({ text, key }) => {
        const planted = JSON.parse(text);
        const result = "input" in planted || !("model" in planted) ? validateWireRequest(planted) : validateRequest(planted);
        wellFormed(result);
        expect(result.valid).toBe(false);
        expect(result.issues.map((i) => i.rule)).toContain("no-prototype-keys");
        // Nothing the planted key would have said as a prototype (a model, an image) was read.
        const others = result.issues.filter((i) => i.rule !== "no-prototype-keys");
        expect(others).toEqual([]);
        expect(result.issues.every((i) => i.path.endsWith(`/${key}`))).toBe(true);
      }),
      { numRuns: CASES.prototype },
    );
  });

  it(`and in ${CASES.prototype} random request-shaped bodies the verdict is an error`, () => {
    fc.assert(
      fc.property(withPrototypeKey(fc.oneof(flatBody, wireBody)), ({ text }) => {
        const body = JSON.parse(text);
        for (const result of [validateRequest(body), validateWireRequest(body)]) {
          wellFormed(result);
          expect(result.valid).toBe(false);
        }
      }),
      { numRuns: CASES.prototype },
    );
  });
});
