import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { type CallbackSeen, type CallbackStore, createCallbackHandler, parseCallback } from "../../src/callbacks.js";
import { KirinConnectionError, KirinNotFoundError, KirinValidationError } from "../../src/errors.js";
import { toNodeListener } from "../../src/node.js";
import { taskCost, videoUrls } from "../../src/task.js";
import type { Task } from "../../src/types.js";

// The contract's own examples for the callback payload must all pass.
const spec = JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8")) as {
  components: { examples: Record<string, { value: unknown }> };
};
const example = (name: string) => structuredClone(spec.components.examples[name]!.value) as Record<string, unknown>;

const post = (body: unknown, init: RequestInit = {}) =>
  new Request("https://me.example/kirin", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...init });

describe("parseCallback", () => {
  it.each(["TaskPending", "TaskProcessing", "TaskCompleted", "TaskFailedResourceInsufficient"])(
    "accepts the contract example %s",
    (name) => {
      const task = parseCallback(example(name));
      expect(task.id).toBeTruthy();
    },
  );

  it("accepts JSON text", () => {
    expect(parseCallback(JSON.stringify(example("TaskCompleted"))).status).toBe("completed");
  });

  it("normalises the gateway's variants into the contract's shape", () => {
    const done = { ...example("TaskCompleted"), status: "success" };
    expect(parseCallback(done).status).toBe("completed");
    const failedMessage = {
      ...example("TaskFailedResourceInsufficient"),
      status: "failed",
      error: { code: "006001094", message: "no capacity" },
    };
    expect(parseCallback(failedMessage).error).toEqual({ code: "006001094", error_message: "no capacity" });
    const failedString = { ...example("TaskFailedResourceInsufficient"), error: "boom" };
    expect(parseCallback(failedString).error).toEqual({ code: "unknown", error_message: "boom" });
    const stringDuration = example("TaskCompleted");
    (stringDuration.output as { content: { duration: unknown }[] }[])[0]!.content[0]!.duration = "5";
    expect(parseCallback(stringDuration).output?.[0]?.content[0]?.duration).toBe(5);
  });

  it.each([
    [{ ...example("TaskProcessing"), id: undefined }, "/id"],
    [{ ...example("TaskProcessing"), status: undefined }, "/status"],
    [{ ...example("TaskProcessing"), status: "" }, "/status"],
    [{ ...example("TaskProcessing"), id: { nested: true } }, "/id"],
  ])("rejects only a body that is not a task, and names the field (%#)", (body, path) => {
    let error: unknown;
    try {
      parseCallback(JSON.parse(JSON.stringify(body)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KirinValidationError);
    expect((error as KirinValidationError).issues.map((i) => i.path)).toContain(path);
    expect((error as Error).message).toMatch(/^Invalid callback: /);
  });

  it.each([
    ["an undocumented status", { ...example("TaskProcessing"), status: "rendering_frames" }, "rendering_frames"],
    ["no model", { ...example("TaskProcessing"), model: undefined }, "processing"],
    ["a numeric cost", { ...example("TaskCompleted"), usage: { cost: 0.01429 } }, "completed"],
    ["an empty cost on a failed task", { ...example("TaskFailedResourceInsufficient"), usage: { cost: "" } }, "failed"],
    ["a plain-string error", { ...example("TaskFailedResourceInsufficient"), error: "boom" }, "failed"],
    ["a failed task without error", { ...example("TaskFailedResourceInsufficient"), error: undefined }, "failed"],
    ["a progress outside 0..1", { ...example("TaskProcessing"), progress: -0.5 }, "processing"],
  ])("accepts what polling accepts: %s", (_what, body, status) => {
    const task = parseCallback(JSON.parse(JSON.stringify(body)));
    expect(task.status).toBe(status);
  });

  it("rejects non-JSON and non-objects", () => {
    expect(() => parseCallback("{nope")).toThrow(KirinValidationError);
    expect(() => parseCallback(null)).toThrow(KirinValidationError);
    expect(() => parseCallback([1])).toThrow(KirinValidationError);
  });
});

describe("createCallbackHandler", () => {
  const completed = example("TaskCompleted");
  const processing = { ...example("TaskProcessing"), id: completed.id };
  const wireCompleted = { ...example("TaskCompletedWire"), id: completed.id };

  it("answers 200 for every accepted payload and hands each notification on once", async () => {
    const received: Task[] = [];
    const handle = createCallbackHandler((t) => void received.push(t));
    expect((await handle(post(processing))).status).toBe(200);
    const first = await handle(post(completed));
    const again = await handle(post(completed));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(received.map((t) => t.status)).toEqual(["processing", "completed"]);
  });

  it("accepts the gateway's wire shapes (in_progress, no model, numeric cost) like polling does", async () => {
    const received: Task[] = [];
    const handle = createCallbackHandler((t) => void received.push(t));
    const queued = { id: "w1", status: "in_progress", progress: 0 };
    const failed = { id: "w2", status: "failed", error: { code: 6001094, message: "Task resource insufficient" }, usage: { cost: "" } };
    for (const body of [queued, wireCompleted, failed]) expect((await handle(post(body))).status).toBe(200);
    expect(received.map((t) => t.status)).toEqual(["processing", "completed", "failed"]);
    expect(received[2]!.error).toMatchObject({ code: "006001094", original_code: 6001094, error_message: "Task resource insufficient" });
  });

  it("never moves a status backwards: a late notification after a final one is acknowledged, not handed on", async () => {
    const received: Task[] = [];
    const handle = createCallbackHandler((t) => void received.push(t));
    await handle(post(completed));
    const late = await handle(post(processing));
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ received: true, stale: true });
    const pending = await handle(post({ ...example("TaskPending"), id: completed.id }));
    expect(pending.status).toBe(200);
    // A different final status after the first final one is stale too: the first one stands.
    await handle(post({ ...example("TaskFailedResourceInsufficient"), id: completed.id }));
    expect(received.map((t) => t.status)).toEqual(["completed"]);
  });

  it("hands on rising progress, and not progress that went back", async () => {
    const received: number[] = [];
    const handle = createCallbackHandler((t) => void received.push(t.progress ?? -1));
    for (const progress of [0.2, 0.5, 0.4, 0.5, 0.7]) await handle(post({ id: "p", status: "in_progress", progress }));
    expect(received).toEqual([0.2, 0.5, 0.7]);
  });

  it("deduplicates concurrent deliveries", async () => {
    let calls = 0;
    const handle = createCallbackHandler(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
    });
    const answers = await Promise.all([handle(post(completed)), handle(post(completed))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(calls).toBe(1);
  });

  it("with verify, hands on the API's task and never the posted one: a forged callback plants nothing", async () => {
    const api = new Map<string, Task>([[String(completed.id), parseCallback(processing)]]);
    const verify = { getTask: async (id: string) => api.get(id) ?? Promise.reject(new KirinNotFoundError({ status: 404, body: {} })) };
    const received: Task[] = [];
    const handle = createCallbackHandler((t) => void received.push(t), { verify });
    const forged = { ...completed, output: [{ content: [{ type: "video", url: "https://evil.example/x.mp4" }] }] };
    // The API does not show it completed yet: ask the sender to come back rather than lose it.
    const early = await handle(post(forged));
    expect(early.status).toBe(503);
    expect(received).toEqual([]);
    // Unknown to the API at all: refused.
    expect((await handle(post({ ...forged, id: "made-up" }))).status).toBe(400);
    // Once the API says completed, the API's own task is handed on, not the posted body.
    api.set(String(completed.id), parseCallback(completed));
    expect((await handle(post(forged))).status).toBe(200);
    expect(received).toHaveLength(1);
    expect(videoUrls(received[0]!)).toEqual(videoUrls(parseCallback(completed)));
  });

  it("with verify, answers 503 when the API cannot be reached, so the sender tries again", async () => {
    const verify = { getTask: async () => Promise.reject(new KirinConnectionError("Connection failed")) };
    const handle = createCallbackHandler(() => undefined, { verify });
    expect((await handle(post(completed))).status).toBe(503);
  });

  it("with token, refuses a request whose URL lacks the secret", async () => {
    const handle = createCallbackHandler(() => undefined, { token: "s3cret-token" });
    const at = (url: string) => new Request(url, { method: "POST", body: JSON.stringify(completed) });
    expect((await handle(at("https://me.example/kirin"))).status).toBe(403);
    expect((await handle(at("https://me.example/kirin?token=wrong"))).status).toBe(403);
    expect((await handle(at("https://me.example/kirin?token=s3cret-token"))).status).toBe(200);
  });

  it("takes a pluggable store, so instances share what was handed on", async () => {
    const shared = new Map<string, CallbackSeen>();
    const store: CallbackStore = { get: async (id) => shared.get(id), set: async (id, seen) => void shared.set(id, seen) };
    const received: string[] = [];
    const a = createCallbackHandler((t) => void received.push(`a:${t.status}`), { store });
    const b = createCallbackHandler((t) => void received.push(`b:${t.status}`), { store });
    await a(post(completed));
    expect(await (await b(post(completed))).json()).toEqual({ received: true, duplicate: true });
    expect(received).toEqual(["a:completed"]);
    expect(shared.get(String(completed.id))).toEqual({ status: "completed", progress: 1 });
  });

  it("forgets the oldest tasks past `remember`", async () => {
    const received: string[] = [];
    const handle = createCallbackHandler((t) => void received.push(t.id), { remember: 2 });
    for (const id of ["a", "b", "c", "a"]) await handle(post({ id, status: "completed", output: [] }));
    expect(received).toEqual(["a", "b", "c", "a"]);
  });

  it("answers 400 for a body that is not a task, with the issues", async () => {
    const handle = createCallbackHandler(() => {
      throw new Error("must not be called");
    });
    const response = await handle(post({ id: "x" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path)).toEqual(["/status"]);
    expect((await handle(post("not json"))).status).toBe(400);
  });

  it("answers 405 to anything but POST", async () => {
    const handle = createCallbackHandler(() => undefined);
    expect((await handle(new Request("https://me.example/kirin"))).status).toBe(405);
  });

  it("answers 500 when onTask throws, and handles the redelivery afresh", async () => {
    let calls = 0;
    const handle = createCallbackHandler(() => {
      if (++calls === 1) throw new Error("database down");
    });
    expect((await handle(post(completed))).status).toBe(500);
    expect((await handle(post(completed))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("works behind Node's http server via toNodeListener", async () => {
    const received: Task[] = [];
    const server = createServer(
      toNodeListener(
        createCallbackHandler((t) => void received.push(t)),
        { maxBodyBytes: 10_000 },
      ),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    try {
      const url = `http://127.0.0.1:${port}/kirin`;
      const ok = await fetch(url, { method: "POST", body: JSON.stringify(completed), headers: { "content-type": "application/json" } });
      expect(ok.status).toBe(200);
      const bad = await fetch(url, { method: "POST", body: "{}" });
      expect(bad.status).toBe(400);
      const big = await fetch(url, { method: "POST", body: "x".repeat(20_000) }).catch(() => undefined);
      if (big) expect(big.status).toBe(413);
      expect(received).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it("works behind a body parser that already read the stream (Express's global express.json())", async () => {
    const received: Task[] = [];
    const listener = toNodeListener(createCallbackHandler((t) => void received.push(t)));
    // What express.json() does: read the whole body, parse it, leave it on req.body.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        (req as typeof req & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        listener(req, res);
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/kirin`, {
        method: "POST",
        body: JSON.stringify(wireCompleted),
        headers: { "content-type": "application/json" },
      });
      expect(ok.status).toBe(200);
      expect(received.map((t) => t.status)).toEqual(["completed"]);
    } finally {
      server.close();
    }
  });
});

describe("helpers", () => {
  it("videoUrls and taskCost read a completed task", () => {
    const task = parseCallback(example("TaskCompleted"));
    expect(videoUrls(task)).toEqual(["https://cdn.example.com/videos/task_01JD2M4V9Q8K3H7T5R6W2Y1X0Z.mp4"]);
    expect(taskCost(task)).toBe("0.35");
    const running = parseCallback(example("TaskProcessing"));
    expect(videoUrls(running)).toEqual([]);
    expect(taskCost(running)).toBeUndefined();
  });
});
