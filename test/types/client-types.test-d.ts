// Type-level checks, run by vitest's typecheck mode: the client's methods carry the contract's
// types, so mistakes fail to compile; and KirinClient is a plain interface that a user's fake can
// implement, with waitForTask taking any object that has getTask.

import {
  createKirinClient,
  type GetTaskOptions,
  type KirinAbortError,
  type KirinClient,
  type KirinCoreClient,
  type KirinError,
  type PollableClient,
  type PollRequestOptions,
  type WaitOptions,
  waitForTask,
} from "kirin-api";
import { createKirinClient as createLightClient } from "kirin-api/client";
import { describe, expectTypeOf, it } from "vitest";
import type { KirinRequest, Task, WireTask } from "../../src/types.js";

const task = { id: "task_1", status: "completed", output: [{ content: [{ url: "https://cdn.example/v.mp4" }] }] } as Task;

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

  it("is a plain interface: an object literal implements it, with no hidden member", () => {
    const fake: KirinCoreClient = {
      createTask: async (body) => ({ ...task, model: body.model, status: "pending" }),
      getTask: async (id) => ({ ...task, id }),
      waitForTask: (id, options) => waitForTask(fake, id, options),
      generate: async (body, options) => waitForTask(fake, (await fake.createTask(body, options)).id, options),
    };
    expectTypeOf(fake).toExtend<PollableClient>();
    // KirinClient is the same with `raw`, a real openapi-fetch client (createClient<paths>() makes one).
    const withRaw: KirinClient = { ...fake, raw: createKirinClient({ apiKey: "unused" }).raw };
    expectTypeOf(withRaw).toExtend<KirinCoreClient>();
    // A fake of only what the code under test calls, typed with Pick.
    const reader: Pick<KirinClient, "getTask"> = { getTask: async (id) => ({ ...task, id }) };
    void reader;
    // @ts-expect-error a fake still has to keep the methods' types: getTask returns a Task
    const wrong: Pick<KirinClient, "getTask"> = { getTask: async (id: string) => id };
    void wrong;
  });

  it("every key of KirinClient and KirinCoreClient is a public name", () => {
    expectTypeOf<keyof KirinCoreClient>().toEqualTypeOf<"createTask" | "getTask" | "waitForTask" | "generate">();
    expectTypeOf<keyof KirinClient>().toEqualTypeOf<"createTask" | "getTask" | "waitForTask" | "generate" | "raw">();
  });

  it("kirin-api/client's createKirinClient returns the calls without raw", () => {
    expectTypeOf(createLightClient({ apiKey: "k" })).toEqualTypeOf<KirinCoreClient>();
    expectTypeOf(createKirinClient({ apiKey: "k" })).toEqualTypeOf<KirinClient>();
  });

  it("waitForTask takes anything with getTask, and the options it passes are getTask's", () => {
    const fake = { getTask: async (id: string): Promise<Task> => ({ ...task, id }) };
    expectTypeOf(waitForTask(fake, "task_1")).toEqualTypeOf<Promise<Task>>();
    const client = createKirinClient({ apiKey: "k", fetch: async () => new Response("{}") });
    expectTypeOf(waitForTask(client, "task_1", { timeoutMs: 60_000 } satisfies WaitOptions)).toEqualTypeOf<Promise<Task>>();
    expectTypeOf<PollRequestOptions>().toExtend<GetTaskOptions>();
    expectTypeOf<PollRequestOptions["operation"]>().toEqualTypeOf<"poll">();
    // @ts-expect-error waitForTask needs a getTask
    void waitForTask({ createTask: async () => task }, "task_1");
    // @ts-expect-error a getTask that does not answer a Task
    void waitForTask({ getTask: async () => "done" }, "task_1");
  });

  it("getTask names its requests `get` or `poll` only", () => {
    const client = createKirinClient({ apiKey: "k", fetch: async () => new Response("{}") });
    const never = () => {
      void client.getTask("t", { operation: "poll", attempt: 2, retries: 0 });
      // @ts-expect-error a create is not a getTask's operation
      void client.getTask("t", { operation: "create" });
    };
    void never;
  });

  it("an abort is a KirinError that may name the create's external_task_id", () => {
    expectTypeOf<KirinAbortError>().toExtend<KirinError>();
    expectTypeOf<KirinAbortError["externalTaskId"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<KirinAbortError["name"]>().toEqualTypeOf<string>();
  });
});
