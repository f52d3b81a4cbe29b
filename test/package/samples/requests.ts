// What the package test type-checks in every consumer: a request narrows on `model` (a field of
// one model is allowed on it and an error on the other), and a wrong `duration` is an error. Each
// `@ts-expect-error` must BE an error where it stands, or tsc fails the consumer.
import type { KirinRequest } from "kirin-api";

export const request: KirinRequest = {
  model: "kirin_v3_omni_video",
  prompt: "A paper boat drifts down a rainy street.",
  aspect_ratio: "16:9",
  duration: "5",
};

// @ts-expect-error duration is a string of seconds, not a number
export const numericDuration: KirinRequest = { model: "kirin_v3_omni_video", prompt: "A boat", aspect_ratio: "16:9", duration: 5 };

// @ts-expect-error duration runs from "3" to "15"
export const longDuration: KirinRequest = { model: "kirin_v3_i2v", image: "https://cdn.example.com/fox.jpg", duration: "20" };

/** One line about a request; each branch may read only its own model's fields. */
export function describeRequest(body: KirinRequest): string {
  if (body.model === "kirin_v3_i2v") {
    // @ts-expect-error aspect_ratio is a kirin_v3_omni_video field
    void body.aspect_ratio;
    return `i2v from ${body.image ?? body.image_tail}`;
  }
  // @ts-expect-error image_tail (the end frame) is a kirin_v3_i2v field
  void body.image_tail;
  return `omni ${body.aspect_ratio ?? "default"} ${body.duration ?? "5"} s`;
}
