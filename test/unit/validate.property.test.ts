// Property: fast-check builds valid bodies of both models (every one must pass with zero issues),
// then applies one mutation that breaks exactly one rule; the issue must carry that rule's id at
// the path the mutation touched, and no other error may appear (except the few a rule implies).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateRequest } from "../../src/validate.js";
import { B64 } from "./bodies.js";

type Body = Record<string, any>;
const text = fc.stringMatching(/^[A-Za-z][A-Za-z ,.!]{0,40}$/);
const url = fc.webUrl({ validSchemes: ["https"] });
const videoUrl = fc.constantFrom("https://cdn.example.com/v/a.mp4", "https://cdn.example.com/v/B.MOV", "https://cdn.example.com/v/42");
const ratioOk = [B64.png, B64.square, B64.jpeg, B64.widest, B64.tallest];
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Durations of 1 to 6 shots that add up to `total`, from up to 5 cut points. */
function split(total: number, cuts: number[]): number[] {
  const points = [...new Set(cuts.filter((c) => c < total))].sort((a, b) => a - b).slice(0, 5);
  return [...points, total].map((p, i, all) => p - (i ? all[i - 1]! : 0));
}

/** Fields both models share: shots or prompt, and the simple options. */
const common = fc.record({
  multi: fc.boolean(),
  total: opt(fc.integer({ min: 3, max: 15 })),
  cuts: fc.array(fc.integer({ min: 1, max: 14 }), { maxLength: 6 }),
  prompts: fc.array(text, { minLength: 6, maxLength: 6 }),
  prompt: text,
  negative: opt(text),
  mode: opt(fc.constantFrom("std", "pro")),
  callback: opt(url),
  external: opt(fc.stringMatching(/^[a-z0-9-]{1,20}$/)),
  watermark: opt(fc.boolean()),
});

type Common = typeof common extends fc.Arbitrary<infer T> ? T : never;

function shared(c: Common, withDuration = true): Body {
  const body: Body = {};
  if (c.total !== undefined && withDuration) body.duration = String(c.total);
  if (c.multi) {
    const total = withDuration ? (c.total ?? 5) : 5;
    Object.assign(body, {
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: split(total, c.cuts).map((d, i) => ({ index: i + 1, prompt: c.prompts[i], duration: String(d) })),
    });
  } else body.prompt = c.prompt;
  if (c.negative !== undefined) body.negative_prompt = c.negative;
  if (c.mode !== undefined) body.mode = c.mode;
  if (c.callback !== undefined) body.callback_url = c.callback;
  if (c.external !== undefined) body.external_task_id = c.external;
  if (c.watermark !== undefined) body.watermark_info = { enabled: c.watermark };
  return body;
}

const i2vBody = fc
  .record({
    common,
    base64: fc.boolean(),
    which: fc.constantFrom("image", "image_tail", "both"),
    image: fc.constantFrom(...ratioOk),
    tail: fc.constantFrom(...ratioOk, B64.wide, B64.tall),
    urls: fc.tuple(url, url),
    elements: fc.integer({ min: 0, max: 3 }),
    sound: opt(fc.constantFrom("on", "off")),
  })
  .map((g): Body => {
    const body: Body = { model: "kirin_v3_i2v", ...shared(g.common) };
    if (g.which !== "image_tail") body.image = g.base64 ? g.image : g.urls[0];
    if (g.which !== "image") body.image_tail = g.base64 ? g.tail : g.urls[1];
    if (g.elements) body.element_list = Array.from({ length: g.elements }, (_, i) => ({ element_id: 100 + i }));
    if (g.sound) body.sound = g.sound;
    return body;
  });

type OmniMode = "text" | "refs" | "frames" | "feature" | "edit";
const omniBody = fc
  .record({
    common,
    mode: fc.constantFrom<OmniMode>("text", "refs", "frames", "feature", "edit"),
    images: fc.array(fc.oneof(url, fc.constantFrom(...ratioOk)), { minLength: 7, maxLength: 7 }),
    count: fc.integer({ min: 0, max: 7 }),
    elements: fc.integer({ min: 0, max: 7 }),
    endFrame: fc.boolean(),
    aspect: fc.constantFrom("16:9", "9:16", "1:1"),
    keepAspect: fc.boolean(),
    video: videoUrl,
    referDefault: fc.boolean(),
    keepSound: opt(fc.constantFrom("yes", "no")),
    soundOff: fc.boolean(),
    usePlaceholders: fc.boolean(),
  })
  .map((g): Body => {
    const edit = g.mode === "edit";
    const body: Body = { model: "kirin_v3_omni_video", ...shared(g.common, !edit) };
    const withVideo = g.mode === "feature" || edit;
    const limit = withVideo ? 4 : 7;
    let images = g.mode === "text" ? 0 : Math.max(1, Math.min(g.count, limit));
    let elements = Math.min(g.elements, limit - images);
    const list: Body[] = g.images.slice(0, images).map((image_url) => ({ image_url }));
    if (g.mode === "frames") {
      list[0]!.type = "first_frame";
      elements = Math.min(elements, 3);
      if (g.endFrame) {
        images = 2;
        list.length = 1;
        list.push({ image_url: g.images[1], type: "end_frame" });
      }
    }
    if (list.length) body.image_list = list;
    if (elements) body.element_list = Array.from({ length: elements }, (_, i) => ({ element_id: 500 + i }));
    if (withVideo) {
      const video: Body = { video_url: g.video };
      if (g.mode === "feature") video.refer_type = "feature";
      else if (!g.referDefault) video.refer_type = "base";
      if (g.keepSound) video.keep_original_sound = g.keepSound;
      body.video_list = [video];
      if (g.soundOff) body.sound = "off";
    }
    if (!(g.mode === "frames" || edit) || g.keepAspect) body.aspect_ratio = g.aspect;
    if (g.usePlaceholders && typeof body.prompt === "string") {
      const refs = [list.length && "<<<image_1>>>", elements && `<<<element_${elements}>>>`, withVideo && "<<<video_1>>>"];
      body.prompt += ` ${refs.filter(Boolean).join(" ")}`;
    }
    return body;
  });

interface Mutation {
  rule: string;
  /** Rules the mutation necessarily breaks as well. */
  also?: string[];
  warning?: boolean;
  /** Changes `b` in place and returns the path of the expected issue, or undefined when it does not apply. */
  apply(b: Body): string | undefined;
}

const isMulti = (b: Body) => b.multi_shot === true;
const edits = (b: Body) => b.video_list?.some((v: Body) => (v.refer_type ?? "base") === "base") ?? false;
const hasFrames = (b: Body) => b.image_list?.some((i: Body) => i.type) ?? false;
const base64Path = (b: Body) =>
  b.model === "kirin_v3_i2v" ? ["image", "image_tail"].find((k) => b[k] && !b[k].startsWith("http")) : undefined;
/** The path of an image the aspect ratio limit applies to (`image` or an `image_list` item), made Base64 if it is a URL. */
function ratioImage(b: Body, value: string): string | undefined {
  if (b.model === "kirin_v3_i2v") {
    if (!b.image || b.image.startsWith("http")) return undefined; // keeps all-or-none intact
    b.image = value;
    return "/image";
  }
  if (!b.image_list) return undefined;
  b.image_list[0].image_url = value;
  return "/image_list/0/image_url";
}

const both: Mutation[] = [
  { rule: "max-length", apply: (b) => (isMulti(b) ? undefined : ((b.prompt = "x".repeat(2501)), "/prompt")) },
  { rule: "max-length", apply: (b) => ((b.negative_prompt = "y".repeat(2501)), "/negative_prompt") },
  { rule: "enum", apply: (b) => ((b.mode = "turbo"), "/mode") },
  { rule: "enum", apply: (b) => (isMulti(b) && !edits(b) ? undefined : ((b.duration = "16"), "/duration")) },
  { rule: "type", apply: (b) => ((b.duration = 5), "/duration") },
  { rule: "additional-properties", apply: (b) => ((b.fps = 24), "/fps") },
  { rule: "http-url", apply: (b) => ((b.callback_url = "ftp://hooks.example.com/k"), "/callback_url") },
  { rule: "single-shot-requires-prompt", apply: (b) => (isMulti(b) ? undefined : (delete b.prompt, "/prompt")) },
  { rule: "multi-shot-requires-shot-type", apply: (b) => (isMulti(b) ? (delete b.shot_type, "/shot_type") : undefined) },
  { rule: "customize-requires-multi-prompt", apply: (b) => (isMulti(b) ? (delete b.multi_prompt, "/multi_prompt") : undefined) },
  {
    rule: "shot-durations-sum",
    also: ["shot-duration-within-total"],
    apply(b) {
      if (!isMulti(b) || edits(b)) return undefined;
      const last = b.multi_prompt.length - 1;
      b.multi_prompt[last].duration = String(Number(b.multi_prompt[last].duration) + 1);
      return `/multi_prompt/${last}/duration`;
    },
  },
  {
    rule: "shot-duration-within-total",
    also: ["shot-durations-sum"],
    apply(b) {
      if (!isMulti(b) || edits(b)) return undefined;
      b.multi_prompt[0].duration = String(Number(b.duration ?? 5) + 1);
      return "/multi_prompt/0/duration";
    },
  },
  {
    rule: "shot-index-unique",
    apply(b) {
      if (!isMulti(b) || b.multi_prompt.length < 2) return undefined;
      const last = b.multi_prompt.length - 1;
      b.multi_prompt[last].index = b.multi_prompt[0].index;
      return `/multi_prompt/${last}/index`;
    },
  },
  {
    rule: "shot-duration-whole-seconds",
    apply: (b) => (isMulti(b) ? ((b.multi_prompt[0].duration = "1.5"), "/multi_prompt/0/duration") : undefined),
  },
  { rule: "multi-shot-ignores-prompt", warning: true, apply: (b) => (isMulti(b) ? ((b.prompt = "Ignored."), "/prompt") : undefined) },
  {
    rule: "single-shot-ignores-shots",
    warning: true,
    apply: (b) => (isMulti(b) ? undefined : ((b.shot_type = "customize"), "/shot_type")),
  },
  {
    rule: "image-source",
    apply(b) {
      const key = base64Path(b);
      if (key) return (b[key] = `data:image/png;base64,${b[key]}`), `/${key}`;
      return b.image_list ? ((b.image_list[0].image_url = "not an image"), "/image_list/0/image_url") : undefined;
    },
  },
  { rule: "image-min-dimensions", apply: (b) => ratioImage(b, B64.narrow) },
  { rule: "image-aspect-ratio", apply: (b) => ratioImage(b, B64.wide) },
  { rule: "image-format", apply: (b) => ratioImage(b, B64.gif) },
];

const i2vOnly: Mutation[] = [
  { rule: "image-or-image-tail", apply: (b) => (delete b.image, delete b.image_tail, "/image") },
  {
    rule: "image-base64-all-or-none",
    apply: (b) =>
      b.image && b.image_tail && base64Path(b) ? ((b.image_tail = "https://cdn.example.com/t.png"), "/image_tail") : undefined,
  },
  { rule: "max-items", apply: (b) => ((b.element_list = [1, 2, 3, 4].map((element_id) => ({ element_id }))), "/element_list") },
];

const omniOnly: Mutation[] = [
  {
    rule: "prompt-placeholders",
    apply: (b) => (isMulti(b) ? undefined : ((b.prompt += ` <<<image_${(b.image_list?.length ?? 0) + 1}>>>`), "/prompt")),
  },
  {
    rule: "prompt-placeholders",
    apply: (b) =>
      isMulti(b)
        ? ((b.multi_prompt[0].prompt += ` <<<element_${(b.element_list?.length ?? 0) + 1}>>>`), "/multi_prompt/0/prompt")
        : undefined,
  },
  {
    rule: "media-count",
    apply(b) {
      if (hasFrames(b)) return undefined;
      const limit = b.video_list ? 4 : 7;
      const images = (b.image_list ??= []);
      while (images.length + (b.element_list?.length ?? 0) <= limit) images.push({ image_url: "https://cdn.example.com/more.png" });
      return b.element_list ? "/element_list" : "/image_list";
    },
  },
  { rule: "aspect-ratio-required", apply: (b) => (hasFrames(b) || edits(b) ? undefined : (delete b.aspect_ratio, "/aspect_ratio")) },
  { rule: "reference-video-sound-off", apply: (b) => (b.video_list ? ((b.sound = "on"), "/sound") : undefined) },
  { rule: "max-items", apply: (b) => (b.video_list ? (b.video_list.push({ ...b.video_list[0] }), "/video_list") : undefined) },
  {
    rule: "video-edit-no-frames",
    apply: (b) => (edits(b) && b.image_list ? ((b.image_list[0].type = "first_frame"), "/image_list/0") : undefined),
  },
  { rule: "video-edit-ignores-duration", warning: true, apply: (b) => (edits(b) ? ((b.duration = "5"), "/duration") : undefined) },
  {
    rule: "video-url-extension",
    warning: true,
    apply: (b) =>
      b.video_list ? ((b.video_list[0].video_url = "https://cdn.example.com/v/clip.avi"), "/video_list/0/video_url") : undefined,
  },
  {
    rule: "one-first-frame",
    apply(b) {
      if (!hasFrames(b) || b.image_list.length > 1 || (b.element_list?.length ?? 0) > 5) return undefined;
      b.image_list.push({ image_url: "https://cdn.example.com/f.png", type: "first_frame" });
      return "/image_list";
    },
  },
  {
    rule: "end-frame-requires-first-frame",
    apply(b) {
      if (!hasFrames(b) || !b.aspect_ratio || b.image_list.length > 1) return undefined;
      b.image_list[0].type = "end_frame";
      return "/image_list";
    },
  },
  {
    rule: "end-frame-max-two-images",
    apply(b) {
      if (b.image_list?.[1]?.type !== "end_frame") return undefined;
      b.image_list.push({ image_url: "https://cdn.example.com/r.png" });
      return "/image_list/1";
    },
  },
  {
    rule: "first-frame-max-three-elements",
    apply(b) {
      if (!hasFrames(b) || b.image_list.length > 3) return undefined;
      b.element_list = [1, 2, 3, 4].map((element_id) => ({ element_id }));
      return "/element_list";
    },
  },
];

function check(body: Body, mutation: Mutation) {
  const mutated = structuredClone(body);
  const path = mutation.apply(mutated);
  fc.pre(path !== undefined);
  const { valid, issues } = validateRequest(mutated);
  const severity = mutation.warning ? "warning" : "error";
  expect(issues, JSON.stringify(issues)).toContainEqual(expect.objectContaining({ rule: mutation.rule, path, severity }));
  const others = issues.filter((i) => i.severity === "error" && i.rule !== mutation.rule && !mutation.also?.includes(i.rule));
  expect(others).toEqual([]);
  expect(valid).toBe(!!mutation.warning);
}

describe("valid bodies and single mutations (fast-check)", () => {
  it.each([
    ["kirin_v3_i2v", i2vBody],
    ["kirin_v3_omni_video", omniBody],
  ] as const)("%s: every generated body is valid with zero issues", (_model, arb) => {
    fc.assert(
      fc.property(arb, (body) => {
        expect(validateRequest(body)).toEqual({ valid: true, issues: [] });
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["kirin_v3_i2v", i2vBody, [...both, ...i2vOnly]],
    ["kirin_v3_omni_video", omniBody, [...both, ...omniOnly]],
  ] as const)("%s: one mutation, one rule reported at its path", (_model, arb, mutations) => {
    fc.assert(fc.property(arb, fc.constantFrom(...mutations), check), { numRuns: 1500 });
  });

  it.each([
    ["kirin_v3_i2v", i2vBody, [...both, ...i2vOnly]],
    ["kirin_v3_omni_video", omniBody, [...both, ...omniOnly]],
  ] as const)("%s: every mutation applies to some generated body", (_model, arb, mutations) => {
    // A fixed seed: this checks what the generator can make, and a random draw of bodies made a
    // rare mutation (end-frame-requires-first-frame) miss now and then.
    const bodies = fc.sample(arb, { numRuns: 2000, seed: 20261123 });
    for (const mutation of mutations) {
      const applied = bodies.some((b) => mutation.apply(structuredClone(b)) !== undefined);
      expect(applied, `${mutation.rule} never applied`).toBe(true);
    }
  });
});
