// What every runtime rule needs: the rule shape, safe readers for a body whose fields may have any
// type (the schema reports wrong types; a rule must not crash on them), and message helpers.
import type { ImageInfo } from "../image.js";
import { keysOf } from "../pointer.js";

export type Model = "kirin_v3_i2v" | "kirin_v3_omni_video";
export type Params = Record<string, unknown>;

/** An image string of the body, inspected once per validation for all image rules. */
export interface ImageRef {
  path: string;
  info: ImageInfo;
  /** Whether the 1:2.5 to 2.5:1 aspect ratio limit applies (not to i2v `image_tail`). */
  ratioLimited: boolean;
}

export interface RuleContext {
  params: Params;
  images: ImageRef[];
  /** `path` is a JSON Pointer into the params. */
  report(path: string, message: string): void;
}

/** A rule the schema cannot state. Its `id` and `severity` are listed in the spec's `x-kirin-rules`. */
export interface Rule {
  id: string;
  severity: "error" | "warning";
  /** The model it applies to; both when absent. */
  only?: Model;
  check(context: RuleContext): void;
}

export const isObject = (v: unknown): v is Params => typeof v === "object" && v !== null && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A whole number of seconds written as the API writes durations ("5"), else undefined. */
export const seconds = (v: unknown) => (typeof v === "string" && /^[1-9]\d{0,5}$/.test(v) ? Number(v) : undefined);

/** The total duration the shots must fill: `duration`, or its default "5". */
export const totalSeconds = (p: Params) => (p.duration === undefined ? 5 : seconds(p.duration));

/** Editing a video: a `video_list` item with `refer_type` `base`, which is also the default. */
export const editsVideo = (p: Params) => list(p.video_list).some((v) => isObject(v) && (v.refer_type ?? "base") === "base");

/** "/multi_prompt/2/duration" -> "`multi_prompt[2].duration`": how a message names a field. */
export function fieldName(pointer: string): string {
  if (!pointer) return "the request";
  return (
    "`" +
    keysOf(pointer)
      .map((key, i) => (/^\d+$/.test(key) ? `[${key}]` : i ? `.${key}` : key))
      .join("") +
    "`"
  );
}

/** A value as a message shows it; long strings (Base64 images) are cut, never serialised whole. */
export function show(v: unknown): string {
  if (typeof v === "string") return v.length > 60 ? `${JSON.stringify(v.slice(0, 40))}... (${v.length} characters)` : JSON.stringify(v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "function") return "a function";
  return v === null || typeof v !== "object" ? String(v) : "an object";
}
