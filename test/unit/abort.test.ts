// An abort ends every call the same way, at whatever stage it comes: KirinAbortError with the
// signal's reason as `cause`, at once, and nothing more is sent afterwards.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runBatch } from "../../src/batch.js";
import { createKirinClient } from "../../src/client.js";
import { KirinAbortError, KirinError } from "../../src/errors.js";
import { waitForTask } from "../../src/poll.js";
import type { KirinRequest, Task } from "../../src/types.js";
import { type Fault, fakeGateway } from "./fake-gateway.js";

const KEY = "sk-abort-0123456789";
const body: KirinRequest = {
  model: "kirin_v3_i2v",
  image: "https://cdn.example.com/fox.jpg",
  prompt: "a fox runs",
  external_task_id: "order-7",
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/**
 * The fake gateway behind a fetch that records every request, answers with `fault` where it says,
 * and leaves the requests `hang` picks unanswered until their signal aborts.
 */
function gateway(options: { fault?: (req: Request, n: number) => Fault | undefined; hang?: (req: Request, n: number) => boolean } = {}) {
  const gw = fakeGateway({ plan: { durationMs: 300_000 }, ...(options.fault && { fault: options.fault }) });
  const sent: string[] = [];
  const requests: string[] = [];
  const fetch = (req: Request): Promise<Response> => {
    sent.push(`${req.method} ${new URL(req.url).pathname.replace(/^\/model\/v1\/generation/, "") || "/"}`);
    if (options.hang?.(req, sent.length)) {
      return new Promise((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason), { once: true }));
    }
    return gw.fetch(req);
  };
  const client = createKirinClient({ apiKey: KEY, fetch, hooks: { onRequest: (e) => void requests.push(`${e.operation} #${e.attempt}`) } });
  return { gw, client, sent, requests };
}

/**
 * Starts `call` with a fresh signal, aborts it with a reason once `ready()` holds (checked as the
 * fake clock moves), and returns the error; then lets a long time pass to show nothing more is sent.
 */
async function abortWhen(call: (signal: AbortSignal) => Promise<unknown>, ready: () => boolean, sent: string[]) {
  const controller = new AbortController();
  const reason = new Error("user gave up");
  const settled = call(controller.signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  for (let i = 0; !ready(); i++) {
    if (i > 100) throw new Error("never ready to abort");
    await vi.advanceTimersByTimeAsync(100);
  }
  const before = sent.length;
  const started = Date.now();
  controller.abort(reason);
  const error = await settled;
  expect(Date.now() - started).toBe(0); // at once: no timer had to fire
  expect(error).toBeInstanceOf(KirinAbortError);
  expect((error as KirinAbortError).cause).toBe(reason);
  await vi.advanceTimersByTimeAsync(600_000);
  expect(sent.length).toBe(before);
  return error as KirinAbortError;
}

describe("KirinAbortError", () => {
  it("is a KirinError named KirinAbortError, with the reason as cause and in its message", () => {
    const reason = new Error("user gave up");
    const error = new KirinAbortError(reason);
    expect(error).toBeInstanceOf(KirinError);
    expect(error).toMatchObject({ name: "KirinAbortError", cause: reason, category: "retry-later", externalTaskId: undefined });
    expect(error.message).toBe("The call was aborted: user gave up");
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: "KirinAbortError", cause: { name: "Error", message: "user gave up" } });
    const created = new KirinAbortError("stop", { externalTaskId: "order-7" });
    expect(created).toMatchObject({ category: "outcome-unknown", externalTaskId: "order-7" });
    expect(created.message).toMatch(/^The call was aborted: stop; the create may have made a task: .*'order-7'$/);
  });

  it("carries the platform's AbortError when the signal was aborted without a reason", async () => {
    const { client, sent } = gateway({ hang: () => true });
    const controller = new AbortController();
    const pending = client.getTask("task_1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = (await pending) as KirinAbortError;
    expect(error).toBeInstanceOf(KirinAbortError);
    expect(error.cause).toBeInstanceOf(DOMException);
    expect((error.cause as DOMException).name).toBe("AbortError");
    expect(sent).toHaveLength(1);
  });
});

describe("getTask", () => {
  it("aborted during its request", async () => {
    const { client, sent } = gateway({ hang: () => true });
    await abortWhen(
      (signal) => client.getTask("task_1", { signal }),
      () => sent.length === 1,
      sent,
    );
  });

  it("aborted while it waits to retry", async () => {
    const { gw, client, sent } = gateway({
      fault: (_req, n) => (n === 1 ? { kind: "status", status: 503, headers: { "retry-after": "30" } } : undefined),
    });
    const id = gw.seed();
    await abortWhen(
      (signal) => client.getTask(id, { signal }),
      () => sent.length === 1 && vi.getTimerCount() === 1,
      sent,
    );
  });

  it("with a signal already aborted: sends nothing, and the hooks see no request", async () => {
    const { client, sent, requests } = gateway();
    const reason = new Error("too late");
    await expect(client.getTask("task_1", { signal: AbortSignal.abort(reason) })).rejects.toMatchObject({
      name: "KirinAbortError",
      cause: reason,
    });
    expect(sent).toEqual([]);
    expect(requests).toEqual([]);
  });
});

describe("createTask", () => {
  it("aborted during its request: the task may exist, so the error names its external_task_id", async () => {
    const { client, sent } = gateway({ hang: () => true });
    const error = await abortWhen(
      (signal) => client.createTask(body, { signal }),
      () => sent.length === 1,
      sent,
    );
    expect(error).toMatchObject({ category: "outcome-unknown", externalTaskId: "order-7" });
    expect(sent).toEqual(["POST /"]); // no look-up either
  });

  it("aborted while it waits to send again after a 429 (which made nothing): no task to look for", async () => {
    const { client, sent } = gateway({
      fault: (_req, n) => (n === 1 ? { kind: "status", status: 429, headers: { "retry-after": "30" } } : undefined),
    });
    const error = await abortWhen(
      (signal) => client.createTask(body, { signal }),
      () => sent.length === 1 && vi.getTimerCount() === 1,
      sent,
    );
    expect(error).toMatchObject({ category: "retry-later", externalTaskId: undefined });
  });

  it("aborted while it waits to look its task up after a 500: the error names its external_task_id", async () => {
    const { client, sent } = gateway({ fault: (_req, n) => (n === 1 ? { kind: "status", status: 500, after: true } : undefined) });
    const error = await abortWhen(
      (signal) => client.createTask(body, { signal }),
      () => sent.length === 1 && vi.getTimerCount() === 1,
      sent,
    );
    expect(error).toMatchObject({ category: "outcome-unknown", externalTaskId: "order-7" });
  });

  it("aborted during the look-up's request", async () => {
    const { client, sent } = gateway({
      fault: (_req, n) => (n === 1 ? { kind: "status", status: 500, after: true } : undefined),
      hang: (req) => req.method === "GET",
    });
    const error = await abortWhen(
      (signal) => client.createTask(body, { signal }),
      () => sent.length === 2,
      sent,
    );
    expect(error.externalTaskId).toBe("order-7");
    expect(sent).toEqual(["POST /", "GET /task/order-7"]);
  });

  it("with a signal already aborted: sends nothing, and nothing can exist", async () => {
    const { client, sent } = gateway();
    const error = await client.createTask(body, { signal: AbortSignal.abort(new Error("too late")) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "KirinAbortError", externalTaskId: undefined });
    expect(sent).toEqual([]);
  });
});

describe("waitForTask", () => {
  it("aborted during a poll's request", async () => {
    const { gw, client, sent } = gateway({ hang: (_req, n) => n === 3 });
    const id = gw.seed();
    await abortWhen(
      (signal) => client.waitForTask(id, { signal }),
      () => sent.length === 3,
      sent,
    );
  });

  it("aborted while it waits for the next poll", async () => {
    const { gw, client, sent } = gateway();
    const id = gw.seed();
    await abortWhen(
      (signal) => client.waitForTask(id, { signal }),
      () => sent.length === 2 && vi.getTimerCount() > 0,
      sent,
    );
  });

  it("aborted while it waits to retry a poll", async () => {
    const { gw, client, sent } = gateway({
      fault: (_req, n) => (n === 2 ? { kind: "status", status: 503, headers: { "retry-after": "30" } } : undefined),
    });
    const id = gw.seed();
    await abortWhen(
      (signal) => client.waitForTask(id, { signal }),
      () => sent.length === 2 && vi.getTimerCount() > 0,
      sent,
    );
  });

  it("with a fake client that rejects with the bare reason", async () => {
    const sent: string[] = [];
    const fake = {
      getTask: (id: string, options: { signal: AbortSignal }) =>
        new Promise<Task>((_, reject) => {
          sent.push(id);
          options.signal.addEventListener("abort", () => reject(options.signal.reason), { once: true });
        }),
    };
    await abortWhen(
      (signal) => waitForTask(fake, "t", { signal }),
      () => sent.length === 1,
      sent,
    );
  });

  it("with a signal already aborted: asks nothing", async () => {
    const { gw, client, sent } = gateway();
    await expect(client.waitForTask(gw.seed(), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(KirinAbortError);
    expect(sent).toEqual([]);
  });

  it("a deadline is still a KirinTimeoutError, not an abort", async () => {
    const { gw, client } = gateway();
    const error = client.waitForTask(gw.seed(), { timeoutMs: 20_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await error).toMatchObject({ name: "KirinTimeoutError" });
  });
});

describe("generate", () => {
  it("aborted while it creates", async () => {
    const { client, sent } = gateway({ hang: () => true });
    const error = await abortWhen(
      (signal) => client.generate(body, { signal }),
      () => sent.length === 1,
      sent,
    );
    expect(error.externalTaskId).toBe("order-7");
  });

  it("aborted while it waits: the task exists and is known, so the abort names no external_task_id", async () => {
    const { client, sent } = gateway();
    const error = await abortWhen(
      (signal) => client.generate(body, { signal }),
      () => sent.length === 2 && vi.getTimerCount() > 0,
      sent,
    );
    expect(error.externalTaskId).toBeUndefined();
  });
});

describe("runBatch", () => {
  it("with a signal already aborted: throws KirinAbortError and sends nothing", async () => {
    const { client, sent } = gateway();
    const reason = new Error("not now");
    const run = runBatch(client, [{ key: "a", request: body }], { signal: AbortSignal.abort(reason) });
    const error = await (async () => {
      for await (const result of run) void result;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "KirinAbortError", cause: reason });
    expect(sent).toEqual([]);
  });
});
