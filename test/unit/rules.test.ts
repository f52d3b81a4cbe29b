// The runtime rules (src/rules): the ids match the contract's `x-kirin-rules`, and each rule has
// bodies that keep it (no issue at all) and bodies that break it (its id at the right path).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rules } from "../../src/rules/index.js";
import { validateRequest, validateWireRequest } from "../../src/validate.js";
import { B64, bigImages, elements, i2v, image, multi, omni, type RuleCase, shots, URL_IMAGE, video, without } from "./bodies.js";

const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const listed = (schema: string) =>
  (spec.components.schemas[schema]["x-kirin-rules"] as { id: string; severity: string }[]).map((r) => `${r.id} ${r.severity}`).sort();
const implemented = (model: string) =>
  rules
    .filter((r) => !r.only || r.only === model)
    .map((r) => `${r.id} ${r.severity}`)
    .sort();

describe("the rule registry", () => {
  it("implements exactly the x-kirin-rules of each model, with the listed severity", () => {
    expect(implemented("kirin_v3_i2v")).toEqual(listed("KirinV3I2VParams"));
    expect(implemented("kirin_v3_omni_video")).toEqual(listed("KirinV3OmniVideoParams"));
  });

  it("has one implementation per id", () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });
});

export const runtimeCases: Record<string, RuleCase> = {
  "multi-shot-ignores-prompt": {
    pass: [multi(i2v, [5]), multi(omni, [2, 3])],
    fail: [[{ ...multi(i2v, [5]), prompt: "A fox." }, "/prompt"]],
  },
  "single-shot-ignores-shots": {
    pass: [i2v(), omni({ multi_shot: false })],
    fail: [
      [i2v({ shot_type: "customize" }), "/shot_type"],
      [omni({ multi_shot: false, multi_prompt: shots(5) }), "/multi_prompt"],
    ],
  },
  "shot-duration-within-total": {
    pass: [multi(i2v, [5]), multi(i2v, [15], { duration: "15" })],
    fail: [
      [multi(i2v, [6]), "/multi_prompt/0/duration"],
      [multi(omni, [1, 4], { duration: "3" }), "/multi_prompt/1/duration"],
    ],
    also: ["shot-durations-sum"],
  },
  "shot-durations-sum": {
    pass: [
      multi(i2v, [2, 3]),
      multi(i2v, [3, 4, 3], { duration: "10" }),
      multi(omni, [1, 1, 1, 1, 1, 10], { duration: "15" }),
      // Editing a video: the input video's length is the total, unknown here.
      multi(omni, [2, 2], { video_list: [video("base")], sound: "off" }),
    ],
    fail: [
      [multi(i2v, [2, 2]), "/multi_prompt/1/duration"],
      [multi(omni, [3, 4, 4], { duration: "10" }), "/multi_prompt/2/duration"],
    ],
  },
  "shot-index-unique": {
    pass: [multi(i2v, [2, 3])],
    fail: [[multi(i2v, [1, 2, 2], { multi_prompt: [...shots(1, 2), { ...shots(2)[0], index: 2 }] }), "/multi_prompt/2/index"]],
  },
  "image-source": {
    pass: [i2v(), i2v({ image: B64.png }), omni({ image_list: [image(B64.jpeg)] })],
    fail: [
      [i2v({ image: `data:image/png;base64,${B64.png}` }), "/image"],
      [i2v({ image: "not Base64 and not a URL" }), "/image"],
      [i2v({ image: B64.png, image_tail: `${B64.png.slice(0, -4)}A===` }), "/image_tail"],
      [omni({ image_list: [image("ftp://cdn.example.com/a.png")] }), "/image_list/0/image_url"],
    ],
  },
  "image-base64-all-or-none": {
    pass: [i2v({ image: B64.png, image_tail: B64.jpeg }), i2v({ image_tail: URL_IMAGE })],
    fail: [
      [i2v({ image: B64.png, image_tail: URL_IMAGE }), "/image_tail"],
      [i2v({ image_tail: B64.png }), "/image"],
    ],
  },
  "image-format": {
    pass: [i2v({ image: B64.jpeg }), omni({ image_list: [image(B64.png)] })],
    fail: [
      [i2v({ image: B64.gif }), "/image"],
      [omni({ image_list: [image(URL_IMAGE), image(B64.gif)] }), "/image_list/1/image_url"],
    ],
  },
  "image-file-size": {
    pass: [i2v({ image: bigImages().max })],
    fail: [
      [i2v({ image: bigImages().over }), "/image"],
      [omni({ image_list: [image(bigImages().over)] }), "/image_list/0/image_url"],
    ],
  },
  "image-header": {
    pass: [i2v({ image: B64.png }), i2v({ image: B64.jpeg })],
    fail: [
      [i2v({ image: "iVBORw0KGgo=" }), "/image"],
      [omni({ image_list: [image(URL_IMAGE), image("/9j/")] }), "/image_list/1/image_url"],
    ],
  },
  "image-max-pixels": {
    pass: [i2v({ image: B64.png })],
    fail: [
      [i2v({ image: "iVBORw0KGgoAAAANSUhEUgABhqAAAYagCAAAAACNOVQU" }), "/image"],
      [omni({ image_list: [image("iVBORw0KGgoAAAANSUhEUgABhqAAAYagCAAAAACNOVQU")] }), "/image_list/0/image_url"],
    ],
  },
  "image-min-dimensions": {
    pass: [i2v({ image: B64.square })],
    fail: [
      [i2v({ image: B64.narrow }), "/image"],
      [i2v({ image: B64.png, image_tail: B64.short }), "/image_tail"],
      [omni({ image_list: [image(B64.short)] }), "/image_list/0/image_url"],
    ],
  },
  "image-aspect-ratio": {
    pass: [
      i2v({ image: B64.widest }),
      i2v({ image: B64.tallest }),
      i2v({ image: B64.png, image_tail: B64.wide }), // image_tail has no ratio limit
      without(i2v({ image_tail: B64.tall }), "image"),
      omni({ image_list: [image(B64.widest), image(B64.tallest)] }),
    ],
    fail: [
      [i2v({ image: B64.wide }), "/image"],
      [i2v({ image: B64.tall }), "/image"],
      [omni({ image_list: [image(URL_IMAGE), image(B64.wide)] }), "/image_list/1/image_url"],
    ],
  },
  "media-count": {
    pass: [
      omni({ image_list: Array(4).fill(image(URL_IMAGE)), element_list: elements(3) }),
      omni({ image_list: Array(7).fill(image(URL_IMAGE)) }),
      omni({ image_list: [image(URL_IMAGE), image(URL_IMAGE)], element_list: elements(2), video_list: [video("feature")], sound: "off" }),
    ],
    fail: [
      [omni({ image_list: Array(5).fill(image(URL_IMAGE)), element_list: elements(3) }), "/element_list"],
      [omni({ image_list: Array(8).fill(image(URL_IMAGE)) }), "/image_list"],
      [omni({ image_list: Array(3).fill(image(URL_IMAGE)), element_list: elements(2), video_list: [video("feature")] }), "/element_list"],
      [omni({ image_list: Array(5).fill(image(URL_IMAGE)), video_list: [video("feature")] }), "/image_list"],
    ],
  },
  "prompt-placeholders": {
    pass: [
      omni({
        prompt: "<<<element_1>>> wears <<<image_2>>> in <<<video_1>>>.",
        image_list: [image(URL_IMAGE), image(URL_IMAGE)],
        element_list: elements(1),
        video_list: [video("feature")],
        sound: "off",
      }),
      multi(omni, [2, 3], { image_list: [image(URL_IMAGE)], multi_prompt: [{ index: 1, prompt: "<<<image_1>>> runs.", duration: "5" }] }),
      i2v({ prompt: "<<<image_9>>> is just text for i2v." }),
    ],
    fail: [
      [omni({ prompt: "<<<image_2>>> runs.", image_list: [image(URL_IMAGE)] }), "/prompt"],
      [omni({ prompt: "<<<element_1>>> runs." }), "/prompt"],
      [omni({ prompt: "<<<image_0>>> runs.", image_list: [image(URL_IMAGE)] }), "/prompt"],
      [omni({ prompt: "<<<picture_1>>> runs.", image_list: [image(URL_IMAGE)] }), "/prompt"],
      [multi(omni, [5], { multi_prompt: [{ index: 1, prompt: "Into <<<video_1>>>.", duration: "5" }] }), "/multi_prompt/0/prompt"],
    ],
  },
  "video-url-extension": {
    pass: [
      omni({ video_list: [video("feature", "https://cdn.example.com/v/clip.MOV")], sound: "off" }),
      omni({ video_list: [video("feature", "https://cdn.example.com/v/12345")], sound: "off" }),
      omni({ video_list: [video("feature", "https://cdn.example.com/clip.mp4?sig=a.b.c#t=1.5")], sound: "off" }),
    ],
    fail: [
      [omni({ video_list: [video("feature", "https://cdn.example.com/clip.avi")], sound: "off" }), "/video_list/0/video_url"],
      [omni({ video_list: [video("feature", "https://cdn.example.com/clip.webm?x=1")], sound: "off" }), "/video_list/0/video_url"],
    ],
  },
  "no-prototype-keys": {
    pass: [i2v({ watermark_info: { enabled: true } }), omni({ image_list: [image(URL_IMAGE)] })],
    fail: [
      // A computed key defines an own field; `__proto__: x` in a literal would set the prototype.
      [{ ...i2v(), ["__proto__"]: { duration: "bogus" } }, "/__proto__"],
      [i2v({ watermark_info: { enabled: true, constructor: { prototype: {} } } }), "/watermark_info/constructor"],
      [omni({ image_list: [{ ...image(URL_IMAGE), prototype: 1 }] }), "/image_list/0/prototype"],
    ],
  },
  "request-body-size": {
    pass: [
      i2v({ image: bigImages().max, image_tail: bigImages().max }),
      omni({ image_list: [image(bigImages().max), image(bigImages().max)] }),
    ],
    fail: [[omni({ image_list: Array(3).fill(image(bigImages().max)) }), ""]],
  },
  "video-edit-ignores-duration": {
    pass: [
      without(omni({ video_list: [video()], sound: "off" }), "aspect_ratio"),
      omni({ video_list: [video("feature")], sound: "off", duration: "8" }),
    ],
    fail: [
      [without(omni({ video_list: [video()], sound: "off", duration: "5" }), "aspect_ratio"), "/duration"],
      [omni({ video_list: [video("base")], sound: "off", duration: "10" }), "/duration"],
    ],
  },
};

describe.each(Object.entries(runtimeCases))("%s", (rule, { pass, fail, also = [] }) => {
  const severity = rules.find((r) => r.id === rule)!.severity;

  it.each(pass.map((b, i) => [i, b] as const))("keeps body %i without any issue", (_i, body) => {
    expect(validateRequest(body)).toEqual({ valid: true, issues: [] });
  });

  it.each(fail.map(([b, path]) => [path, b] as const))("reports %s", (path, body) => {
    const { valid, issues } = validateRequest(body);
    expect(issues).toContainEqual(expect.objectContaining({ rule, path, severity }));
    expect(issues.filter((i) => i.rule !== rule && !also.includes(i.rule))).toEqual([]);
    expect(valid).toBe(severity === "warning");
    // The same core on the wire body: the same issues, under /input/0/params.
    const { model, ...params } = body;
    const wire = validateWireRequest({ model, input: [{ params }] });
    expect(wire.issues).toEqual(issues.map((i) => ({ ...i, path: `/input/0/params${i.path}` })));
  });
});

describe("rule messages", () => {
  const message = (body: Record<string, unknown>, rule: string) => validateRequest(body).issues.find((i) => i.rule === rule)?.message;

  it("show the fix for a data: prefix", () => {
    expect(message(i2v({ image: `data:image/png;base64,${B64.png}` }), "image-source")).toMatch(
      /send only the Base64 text after the comma/,
    );
  });
  it("say what was given and what is allowed", () => {
    expect(message(multi(i2v, [3, 4, 4], { duration: "10" }), "shot-durations-sum")).toBe(
      "The shot durations add up to 11 seconds; they must add up to the total `duration` of 10 seconds.",
    );
    expect(message(i2v({ image: B64.wide }), "image-aspect-ratio")).toBe(
      "`image` is 800x300 px (aspect ratio 2.67); allowed: between 1:2.5 and 2.5:1.",
    );
    expect(message(i2v({ image: B64.narrow }), "image-min-dimensions")).toMatch(/299x400 px.*at least 300 px/);
    expect(message(i2v({ image: bigImages().over }), "image-file-size")).toMatch(/10485761 bytes.*at most 10 MB \(10485760 bytes\)/);
    expect(message(i2v({ image: B64.gif }), "image-format")).toMatch(/47 49 46 38/);
    expect(message(omni({ prompt: "<<<image_2>>>", image_list: [image(URL_IMAGE)] }), "prompt-placeholders")).toBe(
      "`prompt` refers to <<<image_2>>> but `image_list` has 1 item (N counts from 1).",
    );
    expect(message(omni({ image_list: Array(8).fill(image(URL_IMAGE)) }), "media-count")).toBe(
      "8 images + 0 elements = 8; at most 7 are allowed without a reference video.",
    );
  });
  it("never print a whole Base64 image", () => {
    const { issues } = validateRequest(i2v({ image: bigImages().over, prompt: 5 }));
    for (const i of issues) expect(i.message.length).toBeLessThan(300);
  });
});
