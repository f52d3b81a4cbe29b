// Request bodies for the validation tests: minimal valid ones, and the images they carry.
import { MAX_IMAGE_BYTES } from "../../src/rules/images.js";
import { base64, gif, jpeg, png } from "./image-fixtures.js";

export type Body = Record<string, unknown>;

export const URL_IMAGE = "https://cdn.example.com/images/a.png";
export const i2v = (extra: Body = {}): Body => ({ model: "kirin_v3_i2v", image: URL_IMAGE, prompt: "A fox.", ...extra });
export const omni = (extra: Body = {}): Body => ({ model: "kirin_v3_omni_video", prompt: "A fox.", aspect_ratio: "16:9", ...extra });

export function without(body: Body, ...keys: string[]): Body {
  const copy = { ...body };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Shots with these durations, indexes 1..n. */
export const shots = (...durations: (number | string)[]) =>
  durations.map((d, i) => ({ index: i + 1, prompt: `Shot ${i + 1}.`, duration: String(d) }));
/** A multi-shot body of `base` (i2v or omni) with these shot durations. */
export const multi = (base: (extra?: Body) => Body, durations: (number | string)[], extra: Body = {}): Body =>
  without(base({ multi_shot: true, shot_type: "customize", multi_prompt: shots(...durations), ...extra }), "prompt");

export const image = (url: string, type?: string) => (type ? { image_url: url, type } : { image_url: url });
export const elements = (n: number) => Array.from({ length: n }, (_, i) => ({ element_id: 1000 + i }));
export const video = (refer_type?: string, url = "https://cdn.example.com/videos/v.mp4") =>
  refer_type ? { video_url: url, refer_type } : { video_url: url };

export const B64 = {
  png: base64(png(400, 300)),
  square: base64(png(300, 300)),
  jpeg: base64(jpeg(640, 360, { exifBytes: 60_000 })),
  narrow: base64(png(299, 400)),
  short: base64(png(400, 299)),
  wide: base64(png(800, 300)), // 2.67:1
  tall: base64(png(300, 760)), // 1:2.53
  widest: base64(png(750, 300)), // exactly 2.5:1, allowed
  tallest: base64(png(300, 750)),
  gif: base64(gif(400, 300)),
};
let big: { max: string; over: string } | undefined;
/** 10 MB exactly (allowed) and one byte more; made on first use (14 MB strings). */
export const bigImages = () => (big ??= { max: base64(png(400, 300, MAX_IMAGE_BYTES)), over: base64(png(400, 300, MAX_IMAGE_BYTES + 1)) });

/** A case table: bodies that keep a rule, and bodies that break it with the path of the issue. */
export interface RuleCase {
  pass: Body[];
  fail: [Body, string][];
  /** Other rules a failing body necessarily breaks too (a shot longer than the total breaks the sum). */
  also?: string[];
}
