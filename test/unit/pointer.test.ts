import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { childPointer, decodeSegment, encodeSegment, keysOf, pointerOf, valueAt } from "../../src/pointer.js";
import { fieldName } from "../../src/rules/shared.js";
import { validateRequest } from "../../src/validate.js";

describe("JSON Pointer segments", () => {
  it("escape ~ as ~0 and / as ~1, and nothing else", () => {
    expect(encodeSegment("a/b")).toBe("a~1b");
    expect(encodeSegment("a~b")).toBe("a~0b");
    expect(encodeSegment("~1")).toBe("~01"); // the ~ first: a literal "~1" must not read back as "/"
    expect(encodeSegment("/~/")).toBe("~1~0~1");
    expect(encodeSegment("plain key.with spaces")).toBe("plain key.with spaces");
    expect(encodeSegment("")).toBe("");
    expect(encodeSegment(3)).toBe("3");
  });

  it("read back ~1 before ~0 (RFC 6901)", () => {
    expect(decodeSegment("a~1b")).toBe("a/b");
    expect(decodeSegment("a~0b")).toBe("a~b");
    expect(decodeSegment("~01")).toBe("~1");
    expect(decodeSegment("~10")).toBe("/0");
  });

  it("read back any key as it was", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "~", "/", "0", "1", "é") }), (key) => decodeSegment(encodeSegment(key)) === key),
    );
  });
});

describe("JSON Pointers", () => {
  it("are built from keys and read back into them", () => {
    expect(pointerOf([])).toBe("");
    expect(pointerOf(["multi_prompt", 2, "duration"])).toBe("/multi_prompt/2/duration");
    expect(pointerOf(["a/b", "", "c~d"])).toBe("/a~1b//c~0d");
    expect(keysOf("/a~1b//c~0d")).toEqual(["a/b", "", "c~d"]);
    expect(keysOf("")).toEqual([]);
    expect(childPointer("/image_list/0", "image_url")).toBe("/image_list/0/image_url");
    expect(childPointer("", "a/b")).toBe("/a~1b");
  });

  it("find the value they point at, following own fields only", () => {
    const body = { "a/b": { "c~d": [10, { e: "x" }] }, "": 1 };
    expect(valueAt(body, "")).toBe(body);
    expect(valueAt(body, "/a~1b/c~0d/1/e")).toBe("x");
    expect(valueAt(body, "/a~1b/c~0d/0")).toBe(10);
    expect(valueAt(body, "/")).toBe(1);
    expect(valueAt(body, "/a~1b/missing")).toBeUndefined();
    expect(valueAt(body, "/a~1b/c~0d/0/deeper")).toBeUndefined();
    expect(valueAt({}, "/constructor")).toBeUndefined();
  });
});

describe("pointers in validation issues", () => {
  it("escape an unknown key's ~ and /, and name the field by its real key", () => {
    const { issues } = validateRequest({ model: "kirin_v3_i2v", image: "https://x.test/a.png", prompt: "p", "a/b~c": 1 } as never);
    const issue = issues.find((i) => i.rule === "additional-properties");
    expect(issue?.path).toBe("/a~1b~0c");
    expect(issue?.message).toContain("`a/b~c`");
    expect(fieldName("/multi_prompt/2/du~1ra~0tion")).toBe("`multi_prompt[2].du/ra~tion`");
  });

  it("point at a prototype key under an escaped key", () => {
    const body = JSON.parse('{"model":"kirin_v3_i2v","image":"https://x.test/a.png","prompt":"p","x/y":{"__proto__":{}}}');
    const { issues } = validateRequest(body);
    expect(issues.map((i) => i.path)).toContain("/x~1y/__proto__");
  });
});
