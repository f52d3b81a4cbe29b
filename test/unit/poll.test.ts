import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKirinClient } from "../../src/client.js";
import { KirinNotFoundError, KirinAuthenticationError, KirinTaskFailedError, KirinTimeoutError } from "../../src/errors.js";
import { waitForTask } from "../../src/poll.js";
import type { Task } from "../../src/types.js";
import { type FakeTaskPlan, type Fault, fakeGateway } from "./fake-gateway.js";

const KEY = "sk-poll-secret";

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  // Every outcome must leave nothing scheduled behind.
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/** Lets the fake clock run until the promise settles; returns its value or its error. */
async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; at: number }> {
  const start = Date.now();
  const result = promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  let done = false;
  void result.then(() => (done = true));
  while (!done && vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
  const r = await result;
  return { ...r, at: Date.now() - start };
}

function setup(plan: FakeTaskPlan, fault?: (req: Request, n: number) => Fault | undefined) {
  const gw = fakeGateway({ plan, ...(fault ? { fault } : {}) });
  const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
  const id = gw.seed();
  return { gw, client, id };
}

describe("waitForTask", () => {
  for (const durationMs of [4_000, 25_000, 95_000, 310_000, 598_000]) {
    for (const progress of [true, false]) {
      it(`finds a task that completes after ${durationMs / 1000} s ${progress ? "with" : "without"} progress`, async () => {
        const { gw, client, id } = setup({ durationMs, progress });
        const r = await outcome(client.waitForTask(id));
        expect(r.error).toBeUndefined();
        expect(r.value?.status).toBe("completed");
        expect(r.at).toBeGreaterThanOrEqual(durationMs);
        // Detected soon after completion: within 15% of the run time or the 15 s blind ceiling.
        expect(r.at - durationMs).toBeLessThanOrEqual(Math.max(0.15 * durationMs, 15_000) + 3_000);
        const gets = gw.log.filter((c) => c.method === "GET").length;
        expect(gets).toBeLessThan(durationMs / 5_000 + 12);
      });
    }
  }

  it("takes initialTask as the first answer: generate does not poll the moment it created the task", async () => {
    const { gw, client } = setup({ durationMs: 30_000, progress: true });
    const seen: string[] = [];
    const pending = client.generate({ model: "kirin_v3_omni_video", prompt: "p", aspect_ratio: "1:1" }, { onProgress: (t) => seen.push(t.status) });
    await vi.advanceTimersByTimeAsync(1); // the create settles; the wait's first sleep is scheduled
    const r = await outcome(pending);
    expect(r.value?.status).toBe("completed");
    expect(seen[0]).toBe("pending");
    const created = gw.log.findIndex((c) => c.method === "POST");
    const firstPoll = gw.log.find((c, i) => i > created && c.method === "GET");
    expect(firstPoll).toBeDefined();
    expect(firstPoll!.at - gw.log[created]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it("returns a finished initialTask without a request", async () => {
    const { gw, client, id } = setup({ durationMs: 1_000, progress: true });
    const done = { id, model: "kirin_v3_i2v", status: "completed", output: [{ content: [] }] } as Task;
    const r = await outcome(client.waitForTask(id, { initialTask: done }));
    expect(r.value).toEqual(done);
    expect(gw.log).toEqual([]);
  });

  it("reports every change of status or progress to onProgress, once each", async () => {
    const { client, id } = setup({ durationMs: 60_000, progress: true });
    const seen: Task[] = [];
    await outcome(client.waitForTask(id, { onProgress: (t) => seen.push(t) }));
    const keys = seen.map((t) => `${t.status}|${t.progress}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(seen[0]!.status).toBe("pending");
    expect(seen.at(-1)!.status).toBe("completed");
  });

  it("maps gateway synonyms (in_queue, in_progress, success)", async () => {
    const { client, id } = setup({ durationMs: 20_000, words: { pending: "in_queue", running: "in_progress", done: "success" } });
    const seen: string[] = [];
    const r = await outcome(client.waitForTask(id, { onProgress: (t) => seen.push(t.status) }));
    expect(r.value?.status).toBe("completed");
    expect(seen).toEqual(expect.arrayContaining(["pending", "processing", "completed"]));
  });

  it("treats an unknown status as still running, under the deadline", async () => {
    const { client, id } = setup({ durationMs: 3_600_000, words: { running: "rendering_frames" } });
    const r = await outcome(client.waitForTask(id, { timeoutMs: 120_000 }));
    expect(r.error).toBeInstanceOf(KirinTimeoutError);
    expect(r.at).toBe(120_000);
  });

  it("ends at the deadline with the last task and its id, so the caller can resume", async () => {
    const { client, id } = setup({ durationMs: 300_000, progress: true });
    const r = await outcome(client.waitForTask(id, { timeoutMs: 60_000 }));
    const error = r.error as KirinTimeoutError;
    expect(error).toBeInstanceOf(KirinTimeoutError);
    expect(error.taskId).toBe(id);
    expect(error.lastTask?.status).toBe("processing");
    expect(r.at).toBe(60_000);
    const resumed = await outcome(client.waitForTask(error.taskId));
    expect(resumed.value?.status).toBe("completed");
  });

  it("polls once more just before the deadline rather than sleeping through it", async () => {
    const { gw, client, id } = setup({ durationMs: 30_000 });
    const r = await outcome(client.waitForTask(id, { timeoutMs: 60_000, schedule: () => 100_000 }));
    expect(r.value?.status).toBe("completed");
    expect(r.at).toBe(59_000);
    expect(gw.log).toHaveLength(2);
  });

  it("aborts mid-sleep at once", async () => {
    const { gw, client, id } = setup({ durationMs: 300_000 });
    const controller = new AbortController();
    const p = client.waitForTask(id, { signal: controller.signal });
    const settled = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const polls = gw.log.length;
    expect(vi.getTimerCount()).toBeGreaterThan(0); // asleep between polls
    controller.abort(new Error("stop"));
    const error = await settled;
    expect((error as Error).message).toBe("stop");
    expect(gw.log.length).toBe(polls);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const { gw, client, id } = setup({ durationMs: 30_000 });
    await expect(client.waitForTask(id, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(gw.log).toHaveLength(0);
  });

  it("throws KirinTaskFailedError with code, message and retryable for 006001094", async () => {
    const { client, id } = setup({ durationMs: 20_000, fail: { code: "006001094", error_message: "Task resource insufficient" } });
    const r = await outcome(client.waitForTask(id));
    const error = r.error as KirinTaskFailedError;
    expect(error).toBeInstanceOf(KirinTaskFailedError);
    expect(error.code).toBe("006001094");
    expect(error.errorMessage).toBe("Task resource insufficient");
    expect(error.retryable).toBe(true);
    expect(error.task.status).toBe("failed");
  });

  it.each([
    [{ code: "006001095", message: "Task response error" }, "006001095", "Task response error"],
    ["something broke", "unknown", "something broke"],
  ])("accepts the task error shape %j (not retryable)", async (fail, code, message) => {
    const { client, id } = setup({ durationMs: 20_000, fail: fail as FakeTaskPlan["fail"] });
    const error = (await outcome(client.waitForTask(id))).error as KirinTaskFailedError;
    expect(error.code).toBe(code);
    expect(error.errorMessage).toBe(message);
    expect(error.retryable).toBe(false);
  });

  it("ends at once on 404", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const r = await outcome(client.waitForTask("no-such-task"));
    expect(r.error).toBeInstanceOf(KirinNotFoundError);
    expect(gw.log).toHaveLength(1);
    expect(r.at).toBe(0);
  });

  it("ends at once on 401", async () => {
    const { gw, client, id } = setup({ durationMs: 30_000 }, () => ({ kind: "status", status: 401 }));
    const r = await outcome(client.waitForTask(id));
    expect(r.error).toBeInstanceOf(KirinAuthenticationError);
    expect(gw.log).toHaveLength(1);
  });

  it("still ends right with 30% injected 5xx, 429 and connection failures", async () => {
    for (const [seed, fail] of [[1, undefined], [2, { code: "006001099" }]] as const) {
      let s = seed * 7919;
      const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
      const faults: Fault[] = [
        { kind: "status", status: 500 },
        { kind: "status", status: 503, headers: { "retry-after": "2" } },
        { kind: "status", status: 429, headers: { "retry-after": new Date(Date.now() + 4_000).toUTCString() } },
        { kind: "drop-before" },
      ];
      let injected = 0;
      const { client, id } = setup({ durationMs: 120_000, progress: true, ...(fail ? { fail } : {}) }, () => {
        if (random() >= 0.3) return undefined;
        injected++;
        return faults[Math.floor(random() * faults.length)];
      });
      const r = await outcome(client.waitForTask(id));
      expect(injected).toBeGreaterThan(0);
      if (fail) expect((r.error as KirinTaskFailedError).code).toBe("006001099");
      else expect(r.value?.status).toBe("completed");
    }
  });

  it("honours a poll response's Retry-After", async () => {
    const at: number[] = [];
    const gw = fakeGateway({ plan: { durationMs: 40_000 } });
    const id = gw.seed();
    const start = Date.now();
    const fetch = async (req: Request) => {
      at.push(Date.now() - start);
      const res = await gw.fetch(req);
      const headers = new Headers(res.headers);
      headers.set("retry-after", "20");
      return new Response(await res.text(), { status: res.status, headers });
    };
    const client = createKirinClient({ apiKey: KEY, fetch });
    await outcome(client.waitForTask(id));
    expect(at.slice(0, 3)).toEqual([0, 20_000, 40_000]);
  });

  it("takes a custom schedule and min/max intervals", async () => {
    const { gw, client, id } = setup({ durationMs: 30_000 });
    await outcome(client.waitForTask(id, { schedule: () => 10_000 }));
    expect(gw.log).toHaveLength(4); // 0, 10, 20, 30 s
    const second = setup({ durationMs: 30_000 });
    await outcome(second.client.waitForTask(second.id, { minIntervalMs: 15_000, maxIntervalMs: 15_000 }));
    expect(second.gw.log).toHaveLength(3); // 0, 15, 30 s
  });

  it("works with any object that has getTask", async () => {
    let calls = 0;
    const client = {
      async getTask(id: string): Promise<Task> {
        calls++;
        return { id, model: "m", status: calls < 3 ? "processing" : "completed" } as Task;
      },
    };
    const r = await outcome(waitForTask(client, "t"));
    expect(r.value?.status).toBe("completed");
    expect(calls).toBe(3);
  });
});
