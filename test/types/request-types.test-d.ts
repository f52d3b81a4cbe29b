// Type-level tests of the generated request and task types, run by vitest's typecheck mode (see
// vitest.config.ts): a failed `expectTypeOf`, or an `@ts-expect-error` with no error under it,
// fails `npm test`. Nothing here runs; the values exist to be type-checked.
import createClient from "openapi-fetch";
import { describe, expectTypeOf, it } from "vitest";
import type { paths } from "../../generated/schema.js";
import type { CreateTaskRequest, KirinRequest, Task, WireTask } from "../../src/types.js";

describe("generated types", () => {
  it("narrow the flat request on `model`", () => {
    const i2v: KirinRequest = { model: "kirin_v3_i2v", image: "https://x.test/a.png", prompt: "p" };
    const omni: KirinRequest = { model: "kirin_v3_omni_video", prompt: "p", aspect_ratio: "16:9" };
    // @ts-expect-error an omni field on an i2v body
    const mixed: KirinRequest = { model: "kirin_v3_i2v", image: "https://x.test/a.png", aspect_ratio: "16:9" };
    // @ts-expect-error an unknown model
    const unknownModel: KirinRequest = { model: "kirin_v4", prompt: "p" };
    // @ts-expect-error duration is a string of seconds, not a number
    const numeric: KirinRequest = { model: "kirin_v3_i2v", image: "https://x.test/a.png", duration: 7 };
    const omniImages: KirinRequest = {
      model: "kirin_v3_omni_video",
      prompt: "p",
      // @ts-expect-error image_url is required in each image_list item
      image_list: [{ type: "first_frame" }],
    };
    if (i2v.model === "kirin_v3_i2v") expectTypeOf(i2v.image).toEqualTypeOf<string | undefined>();
    void [omni, mixed, unknownModel, numeric, omniImages];
  });

  it("narrow the wire envelope on `model`", () => {
    const ok: CreateTaskRequest = {
      model: "kirin_v3_omni_video",
      input: [{ params: { prompt: "p", video_list: [{ video_url: "https://x.test/v.mp4" }] } }],
    };
    // @ts-expect-error image_tail is an i2v field
    const wrong: CreateTaskRequest = { model: "kirin_v3_omni_video", input: [{ params: { image_tail: "x" } }] };
    void [ok, wrong];
  });

  it("type openapi-fetch calls from `paths`", async () => {
    const client = createClient<paths>({
      baseUrl: "http://127.0.0.1:1",
      fetch: async () => Response.json({ id: "t", model: "kirin_v3_i2v", status: "pending" }),
    });
    const { data } = await client.POST("/model/v1/generation", {
      body: { model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", prompt: "p" } }] },
    });
    // A create's 200 is a task in any wire form, or an error without a task: the type says both.
    expectTypeOf<Task>().toExtend<NonNullable<typeof data>>();
    if (!data || !("id" in data)) throw new Error("expected a task");
    expectTypeOf(data.id).toEqualTypeOf<string>();
    await client.GET("/model/v1/generation/task/{id}", {
      // @ts-expect-error the path needs an id
      params: { path: {} },
    });
  });

  it("keep the known statuses beside any other string", () => {
    const known: Task["status"] = "in_progress";
    const other: Task["status"] = "rendering_frames";
    // @ts-expect-error a status is a string
    const wrong: Task["status"] = 3;
    expectTypeOf<"pending" | "processing" | "in_progress" | "completed" | "failed">().toExtend<Task["status"]>();
    expectTypeOf<Task["status"]>().not.toEqualTypeOf<string>();
    void [known, other, wrong];
  });

  it("give a task's error code as a string, and the wire's as a string or an integer", () => {
    expectTypeOf<NonNullable<Task["error"]>["code"]>().toEqualTypeOf<string>();
    const wire: WireTask["error"] = { code: 6001094, message: "Task resource insufficient" };
    const text: WireTask["error"] = "download input audio failed";
    void [wire, text];
  });
});
