// Type-level checks: the client's methods carry the contract's types, so mistakes fail to compile.
import { describe, expectTypeOf, it } from "vitest";
import { createKirinClient, type KirinClient } from "../../src/client.js";
import type { KirinRequest, Task, WireTask } from "../../src/types.js";

describe("client types", () => {
  it("takes the flat body of either model and returns a Task", () => {
    expectTypeOf<KirinClient["createTask"]>().parameter(0).toEqualTypeOf<KirinRequest>();
    expectTypeOf<KirinClient["createTask"]>().returns.toEqualTypeOf<Promise<Task>>();
    expectTypeOf<KirinClient["getTask"]>().returns.toEqualTypeOf<Promise<Task>>();
    expectTypeOf<KirinClient["generate"]>().returns.toEqualTypeOf<Promise<Task>>();
  });

  it("rejects bodies outside the contract at compile time", () => {
    const client = createKirinClient({ apiKey: "k", fetch: async () => new Response("{}") });
    const never = () => {
      // @ts-expect-error unknown model
      void client.createTask({ model: "kirin_v9", prompt: "x" });
      // @ts-expect-error duration is a string enum ("3".."15")
      void client.createTask({ model: "kirin_v3_i2v", image: "https://x/y.jpg", prompt: "x", duration: 5 });
      // @ts-expect-error image_list belongs to kirin_v3_omni_video
      void client.createTask({ model: "kirin_v3_i2v", image: "https://x/y.jpg", prompt: "x", image_list: [] });
      // @ts-expect-error raw only knows the contract's paths
      void client.raw.GET("/model/v1/tasks");
    };
    void never;
  });

  it("types raw responses from the contract", () => {
    const client = createKirinClient({ apiKey: "k", fetch: async () => new Response("{}") });
    const call = () => client.raw.GET("/model/v1/generation/task/{id}", { params: { path: { id: "t" } } });
    // raw is the wire, unread: a poll answer is a WireTask (its error may be a string, its code an
    // integer), not yet the documented Task. The known statuses stay literal types.
    type Data = NonNullable<Awaited<ReturnType<typeof call>>["data"]>;
    expectTypeOf<"completed" | "in_progress">().toExtend<Data["status"]>();
    expectTypeOf<"failed to render">().toExtend<NonNullable<Data["error"]>>();
    expectTypeOf<Task>().toExtend<WireTask>();
    expectTypeOf<Data["id"]>().toEqualTypeOf<string>();
  });
});
