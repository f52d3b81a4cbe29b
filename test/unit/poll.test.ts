import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKirinClient } from "../../src/client.js";
import {
  KirinAbortError,
  KirinAuthenticationError,
  KirinNotFoundError,
  KirinRateLimitError,
  KirinTaskFailedError,
  KirinTimeoutError,
} from "../../src/errors.js";
import { type PollRequestOptions, type WaitOptions, waitForTask } from "../../src/poll.js";
import type { TaskProgress } from "../../src/progress.js";
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
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
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
    const pending = client.generate(
      { model: "kirin_v3_omni_video", prompt: "p", aspect_ratio: "1:1" },
      { onProgress: (t) => seen.push(t.status) },
    );
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
    const done = { id, model: "kirin_v3_i2v", status: "completed", output: [{ content: [{ url: "https://cdn.example/v.mp4" }] }] } as Task;
    const r = await outcome(client.waitForTask(id, { initialTask: done }));
    expect(r.value).toEqual(done);
    expect(gw.log).toEqual([]);
  });

  it("reports every change of status or progress to onProgress at once, and ticks in between", async () => {
    const { gw, client, id } = setup({ durationMs: 60_000, progress: true });
    const seen: { task: Task; at: number }[] = [];
    const start = Date.now();
    await outcome(client.waitForTask(id, { onProgress: (task) => seen.push({ task, at: Date.now() - start }) }));
    const keys = seen.map(({ task }) => `${task.status}|${task.progress}`);
    // Ticks repeat the latest task; each change comes once, when its answer arrives.
    const changes = seen.filter((_, i) => keys[i] !== keys[i - 1]);
    expect(new Set(changes.map((c) => c.task)).size).toBe(changes.length);
    expect(new Set(changes.map(({ task }) => `${task.status}|${task.progress}`)).size).toBe(changes.length);
    expect(changes.length).toBeGreaterThan(2);
    const polls = gw.log.map((c) => c.at - start);
    for (const c of changes) expect(polls).toContain(c.at);
    expect(seen.length).toBeGreaterThan(changes.length * 5);
    expect(seen[0]!.task.status).toBe("pending");
    expect(seen.at(-1)!.task.status).toBe("completed");
    // Between two calls never more than the tick interval passes (250 ms by default).
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(250);
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
    const reason = new Error("stop");
    controller.abort(reason);
    const error = await settled;
    expect(error).toBeInstanceOf(KirinAbortError);
    expect((error as KirinAbortError).cause).toBe(reason);
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
    for (const [seed, fail] of [
      [1, undefined],
      [2, { code: "006001099" }],
    ] as const) {
      let s = seed * 7919;
      const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
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
        const output = [{ content: [{ url: "https://cdn.example/v.mp4" }] }];
        return (calls < 3 ? { id, model: "m", status: "processing" } : { id, model: "m", status: "completed", output }) as Task;
      },
    };
    const r = await outcome(waitForTask(client, "t"));
    expect(r.value?.status).toBe("completed");
    expect(calls).toBe(3);
  });
});

// ---- The schedule on the shapes real progress takes (issue 11) -------------------------------

type Answer = (t: number) => Partial<Task>;

/**
 * A task created now that answers `answer(ms since creation)` until `durationMs`, then completed.
 * Records when it was asked, so a test can check every wait against the cap.
 */
function scripted(durationMs: number, answer: Answer) {
  const created = Date.now();
  const at: number[] = [];
  const client = {
    async getTask(id: string): Promise<Task> {
      const t = Date.now() - created;
      at.push(t);
      const base = { id, model: "kirin_v3_i2v", created_at: created };
      if (t >= durationMs)
        return { ...base, status: "completed", progress: 1, output: [{ content: [{ url: "https://cdn.example/v.mp4" }] }] } as Task;
      return { ...base, status: "processing", ...answer(t) } as Task;
    },
  };
  return { client, at };
}

/** Progress as gateways report it: floored to 0.01 and held at 0.99 until the task is completed. */
const reported = (p: number) => Math.min(0.99, Math.floor(Math.max(0, p) * 100) / 100);
/** A run from `startMs` that reports `factor` x the true fraction done (1 = exact). */
const run =
  (startMs: number, endMs: number, factor = 1): Answer =>
  (t) => ({ progress: reported((factor * (t - startMs)) / (endMs - startMs)) });

/** The default cap on a single wait: half the time since creation, at least 30 s. */
const capAt = (elapsedMs: number) => Math.max(30_000, elapsedMs / 2);

/** Follows a scripted task with onProgress; returns the lag, the requests and every progress report. */
async function follow(durationMs: number, answer: Answer, options: WaitOptions = {}) {
  const task = scripted(durationMs, answer);
  const reports: { at: number; task: Task; progress: TaskProgress }[] = [];
  const start = Date.now();
  const r = await outcome(
    waitForTask(task.client, "t", { onProgress: (t, progress) => reports.push({ at: Date.now() - start, task: t, progress }), ...options }),
  );
  return { ...r, lag: r.at - durationMs, requests: task.at.length, at: task.at, reports };
}

/** The properties every run must keep, whatever its progress did. */
function expectSaneRun(run: Awaited<ReturnType<typeof follow>>) {
  for (let i = 1; i < run.at.length; i++) expect(run.at[i]! - run.at[i - 1]!).toBeLessThanOrEqual(capAt(run.at[i - 1]!));
  const estimates = run.reports.map((r) => r.progress.estimate);
  for (let i = 1; i < estimates.length; i++) expect(estimates[i]).toBeGreaterThanOrEqual(estimates[i - 1]!);
  for (const r of run.reports) if (r.task.status !== "completed") expect(r.progress.estimate).toBeLessThan(1);
  if (run.value?.status === "completed") expect(run.reports.at(-1)!.progress).toMatchObject({ estimate: 1, etaMs: 0 });
}

describe("the schedule on real progress", () => {
  // The targets are means and 95th percentiles over tasks of 20 s to 10 min (the bench draws
  // thousands); here each family runs on twelve fixed tasks spread over that range.
  const durations = Array.from({ length: 12 }, (_, k) => 20_000 + k * 52_000);
  const factors = [0.85, 0.95, 1.05, 1.15];
  const queueShares = [0.05, 0.15, 0.3, 0.4];

  /** Runs one task per duration; returns the runs, their mean requests and their worst lag share. */
  async function family(make: (d: number, k: number) => Answer) {
    const runs = [];
    for (const [k, d] of durations.entries()) {
      const r = await follow(d, make(d, k), { progressIntervalMs: 1_000 });
      expect(r.value?.status).toBe("completed");
      expectSaneRun(r);
      runs.push({ ...r, d });
    }
    const meanRequests = runs.reduce((sum, r) => sum + r.requests, 0) / runs.length;
    return { runs, meanRequests, worstShare: Math.max(...runs.map((r) => r.lag / r.d)) };
  }

  it("(a) exact progress: every task seen within 6% of its duration, at most 11 requests a task on average", async () => {
    const f = await family((d) => run(0, d));
    expect(f.worstShare).toBeLessThanOrEqual(0.06);
    expect(f.meanRequests).toBeLessThanOrEqual(11);
  });

  it("(b) rate off by 0.85-1.15, held at 0.99 when fast: within 6%, at most 11 requests on average", async () => {
    const f = await family((d, k) => run(0, d, factors[k % 4]));
    expect(f.worstShare).toBeLessThanOrEqual(0.06);
    expect(f.meanRequests).toBeLessThanOrEqual(11);
    // A fast reporter sits at 0.99 before the end: the UI says "finalizing" then, not a frozen 99%.
    const fast = f.runs.filter((_, k) => factors[k % 4]! > 1);
    for (const r of fast) expect(r.reports.some((x) => x.task.progress === 0.99 && x.progress.phase === "finalizing")).toBe(true);
  });

  it.each([
    { shape: "processing at 0 (gateway)", queued: { progress: 0 } },
    { shape: "pending (docs)", queued: { status: "pending" as Task["status"] } },
  ])("(c) queue time of 5-40%, $shape, then noisy progress: within 6%, at most 13 requests on average", async ({ queued }) => {
    const f = await family((d, k) => {
      const queueEnd = queueShares[k % 4]! * d;
      const running = run(queueEnd, d, factors[(k + 1) % 4]);
      return (t) => (t < queueEnd ? queued : running(t));
    });
    expect(f.worstShare).toBeLessThanOrEqual(0.06);
    expect(f.meanRequests).toBeLessThanOrEqual(13);
    // The UI says "queued" while the task is: no ETA and no invented progress, then it moves.
    for (const [k, r] of f.runs.entries()) {
      const queueEnd = queueShares[k % 4]! * r.d;
      const waiting = r.reports.filter((x) => x.at < queueEnd);
      expect(waiting.every((x) => x.progress.phase === "queued" && x.progress.estimate === 0 && x.progress.etaMs === undefined)).toBe(true);
      expect(r.reports.some((x) => x.progress.phase === "running")).toBe(true);
    }
  });

  it("(d) no progress: at most 0.6x the requests of 5 s polling, every task within 15 s", async () => {
    const f = await family(() => () => ({}));
    const fixed5 = durations.reduce((sum, d) => sum + Math.ceil(d / 5_000) + 1, 0) / durations.length;
    expect(f.meanRequests).toBeLessThanOrEqual(0.6 * fixed5);
    // The blind wait grows by 12% of the time elapsed, up to 15 s: the lag is bounded by both.
    for (const r of f.runs) expect(r.lag).toBeLessThanOrEqual(Math.min(15_000, Math.max(3_000, 0.12 * r.d)));
    expect(f.runs.every((r) => r.reports.every((x) => x.progress.etaMs === undefined || x.task.status === "completed"))).toBe(true);
  });

  it("regression: a 119 s task with 40 s of queue is not slept on until 948 s", async () => {
    // The trace from the issue: progress 0 until 40 s, 0.03 at 42 s; the old schedule timed the rate
    // from creation and slept until 948 s.
    const r = await follow(119_000, (t) => ({ progress: t < 40_000 ? 0 : reported((t - 40_000) / 79_000) }));
    expect(r.value?.status).toBe("completed");
    expect(r.lag).toBeLessThanOrEqual(0.06 * 119_000);
    expect(r.requests).toBeLessThanOrEqual(13);
    expectSaneRun(r);
  });

  it("regression: a 60 s task that stays pending is not seen 35 s late, and its bar does not freeze", async () => {
    // Documented shape: `pending` (no progress) for 20 s, then `processing` with progress to 60 s. The
    // old schedule timed the run from the last pending answer; the bar sat at 5% from 12 s to 95 s.
    const r = await follow(60_000, (t) => (t < 20_000 ? { status: "pending" } : run(20_000, 60_000)(t)));
    expect(r.value?.status).toBe("completed");
    expect(r.lag).toBeLessThanOrEqual(0.06 * 60_000);
    expectSaneRun(r);
    // Once the run is seen, the estimate rises every second until the end.
    const firstMove = r.reports.find((x) => (x.task.progress ?? 0) > 0)!.at;
    const perSecond = (s: number) => r.reports.filter((x) => x.at <= s * 1000).at(-1)!.progress.estimate;
    for (let s = Math.ceil(firstMove / 1000) + 1; s < 59; s++) expect(perSecond(s)).toBeGreaterThan(perSecond(s - 1));
    expect(perSecond(50)).toBeGreaterThan(0.6);
  });

  it("steps (0 -> 0.5 -> 1), values going back and vanishing: nothing beyond the cap, the estimate never goes back", async () => {
    const steps = await follow(200_000, (t) => ({ progress: t < 100_000 ? 0 : 0.5 }), { progressIntervalMs: 1_000 });
    expect(steps.value?.status).toBe("completed");
    expect(steps.lag).toBeLessThanOrEqual(0.15 * 200_000);
    expectSaneRun(steps);
    // Back by 0.3 on every third answer, missing on every fifth.
    let n = 0;
    const erratic = await follow(
      300_000,
      (t) => {
        n++;
        const p = reported(t / 300_000);
        if (n % 5 === 0) return {};
        return { progress: n % 3 === 0 ? reported(p - 0.3) : p };
      },
      { progressIntervalMs: 1_000 },
    );
    expect(erratic.value?.status).toBe("completed");
    expect(erratic.lag).toBeLessThanOrEqual(0.5 * 300_000);
    expectSaneRun(erratic);
    // `reported` is the server's latest value as sent, even when it went back or vanished.
    expect(erratic.reports.some((x) => x.progress.reported === undefined && x.task.status === "processing")).toBe(true);
  });

  it("progress that never leaves 0 costs at most about half the task's time, never a sleep past the cap", async () => {
    const r = await follow(400_000, () => ({ progress: 0 }), { progressIntervalMs: 1_000 });
    expect(r.value?.status).toBe("completed");
    expect(r.lag).toBeLessThanOrEqual(0.5 * 400_000);
    expectSaneRun(r);
  });

  it("takes the caller's maxIntervalMs as the cap, and keeps minIntervalMs", async () => {
    const capped = await follow(400_000, () => ({ progress: 0 }), { maxIntervalMs: 20_000, progressIntervalMs: 1_000 });
    const gaps = capped.at.slice(1).map((t, i) => t - capped.at[i]!);
    expect(Math.max(...gaps)).toBe(20_000);
    const floored = await follow(60_000, run(0, 60_000), { minIntervalMs: 10_000, progressIntervalMs: 1_000 });
    const floorGaps = floored.at.slice(1).map((t, i) => t - floored.at[i]!);
    expect(Math.min(...floorGaps)).toBeGreaterThanOrEqual(10_000);
  });

  it("never sleeps past the deadline: the last poll lands just before it, then the wait ends", async () => {
    const r = await follow(3_600_000, () => ({ progress: 0 }), { timeoutMs: 200_000, progressIntervalMs: 1_000 });
    expect(r.error).toBeInstanceOf(KirinTimeoutError);
    expect(r.at.at(-1)).toBe(199_000);
    expect(r.at.every((t) => t < 200_000)).toBe(true);
    expect(r.reports.at(-1)!.at).toBeLessThan(200_000);
  });
});

describe("the progress stream", () => {
  it("gives a 6 s task a smooth bar: many small steps, not 0 -> 41 -> 100", async () => {
    // The mock's shape: pending for the first 15%, then linear progress.
    const r = await follow(6_000, (t) => (t < 900 ? { status: "pending", progress: 0 } : run(900, 6_000)(t)));
    expect(r.value?.status).toBe("completed");
    expectSaneRun(r);
    const shown = r.reports.filter((x) => x.task.status !== "completed").map((x) => x.progress.estimate);
    expect(new Set(shown.filter((e) => e > 0)).size).toBeGreaterThanOrEqual(10);
    const rises = shown.slice(1).map((e, i) => e - shown[i]!);
    expect(Math.max(...rises)).toBeLessThanOrEqual(0.2);
    expect(shown.at(-1)).toBeGreaterThan(0.8); // close to full when it completes
    expect(r.requests).toBeLessThanOrEqual(5);
  });

  it("reports the phase and an ETA that counts down", async () => {
    const r = await follow(120_000, (t) => (t < 30_000 ? { progress: 0 } : run(30_000, 120_000, 1.1)(t)));
    const phases = r.reports.map((x) => x.progress.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(["queued", "running", "finalizing"]);
    // Once two points time the rate (the second poll after the queue), the ETA is the time left
    // within the rate's error (progress here runs 10% fast), and it falls as the clock runs.
    const timed = r.at.filter((t) => t > 30_000)[1]!;
    const running = r.reports.filter((x) => x.progress.phase === "running" && x.at > timed);
    expect(running.length).toBeGreaterThan(10);
    for (const x of running) expect(Math.abs(x.at + x.progress.etaMs! - 120_000)).toBeLessThan(0.1 * 120_000);
    expect(running.at(-1)!.progress.etaMs!).toBeLessThan(running[0]!.progress.etaMs!);
    expect(r.reports.at(-1)!.progress.elapsedMs).toBe(r.at.at(-1));
  });

  it("is called only from the wait: no ticks and no extra timers without onProgress", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    const task = scripted(60_000, run(0, 60_000));
    await outcome(waitForTask(task.client, "t"));
    // One timer per sleep between polls, plus the deadline's.
    expect(spy.mock.calls.length).toBe(task.at.length);
    spy.mockRestore();
  });

  it("ticks cost no requests: the same polls with and without onProgress", async () => {
    const plain = scripted(95_000, run(10_000, 95_000));
    await outcome(waitForTask(plain.client, "t"));
    const ticking = await follow(95_000, run(10_000, 95_000));
    expect(ticking.at).toEqual(plain.at);
    expect(ticking.reports.length).toBeGreaterThan(95_000 / 250 - 10);
  });

  it("stops ticking at once on abort, leaving no timer", async () => {
    const task = scripted(300_000, run(0, 300_000));
    const controller = new AbortController();
    let calls = 0;
    const settled = waitForTask(task.client, "t", { signal: controller.signal, onProgress: () => calls++ }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBeGreaterThan(30);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(await settled).toMatchObject({ name: "KirinAbortError", cause: reason });
    const after = calls;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(after);
    // afterEach: vi.getTimerCount() === 0
  });

  it("ends the wait with the error an onProgress tick throws, leaving no timer", async () => {
    const task = scripted(300_000, run(0, 300_000));
    let calls = 0;
    const r = await outcome(
      waitForTask(task.client, "t", {
        onProgress: () => {
          if (++calls === 5) throw new Error("render failed");
        },
      }),
    );
    expect((r.error as Error).message).toBe("render failed");
  });
});

describe("waitForTask on the wire's shapes", () => {
  it("reports each retried status request to onRetry as a poll, with the reason and the delay", async () => {
    const { client, id } = setup({ durationMs: 20_000, progress: true }, (_req, n) =>
      n === 2 ? { kind: "status", status: 503, headers: { "retry-after": "2" } } : n === 3 ? { kind: "drop-unclear" } : undefined,
    );
    const events: { operation: string; attempt: number; reason: string; delayMs: number; fromRetryAfter: boolean }[] = [];
    const r = await outcome(client.waitForTask(id, { onRetry: (e) => events.push(e) }));
    expect(r.value?.status).toBe("completed");
    expect(events.map(({ operation, attempt, reason, fromRetryAfter }) => ({ operation, attempt, reason, fromRetryAfter }))).toEqual([
      { operation: "poll", attempt: 2, reason: "503", fromRetryAfter: true },
      { operation: "poll", attempt: 3, reason: "network", fromRetryAfter: false },
    ]);
    expect(events[0]!.delayMs).toBe(2_000);
  });

  it("names its requests `poll` in the client's hooks, numbering each poll's tries from 1", async () => {
    const gw = fakeGateway({ plan: { durationMs: 20_000 }, fault: (_req, n) => (n === 2 ? { kind: "status", status: 503 } : undefined) });
    const seen: string[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      fetch: gw.fetch,
      hooks: { onRequest: (e) => void seen.push(`${e.operation} #${e.attempt}`) },
    });
    const r = await outcome(client.waitForTask(gw.seed()));
    expect(r.value?.status).toBe("completed");
    expect(seen.slice(0, 4)).toEqual(["poll #1", "poll #1", "poll #2", "poll #1"]);
    expect(new Set(seen)).toEqual(new Set(["poll #1", "poll #2"]));
  });

  it("asks getTask for one request per poll, and waits out what the retry policy calls transient itself", async () => {
    const asked: unknown[] = [];
    let n = 0;
    const done = { id: "t", status: "completed", output: [{ content: [{ url: "https://x/v.mp4" }] }] } as Task;
    const client = {
      async getTask(id: string, options: PollRequestOptions): Promise<Task> {
        asked.push({ ...options, signal: options.signal instanceof AbortSignal });
        if (++n === 2) throw new KirinRateLimitError({ status: 429, body: undefined, retryAfterMs: 3_000 });
        return n < 3 ? ({ id, status: "in_progress" } as Task) : done;
      },
    };
    const r = await outcome(waitForTask(client, "t", { schedule: () => 1_000 }));
    expect(r.value).toMatchObject({ status: "completed" });
    expect(r.at).toBe(4_000); // 1 s as scheduled, then the 429's 3 s
    expect(asked).toEqual([
      { signal: true, retries: 0, operation: "poll", attempt: 1 },
      { signal: true, retries: 0, operation: "poll", attempt: 1 },
      { signal: true, retries: 0, operation: "poll", attempt: 2 },
    ]);
  });

  it("ends the wait with an error of a fake client that the retry policy does not call transient", async () => {
    const client = { getTask: async (): Promise<Task> => Promise.reject(new Error("the fake has no such task")) };
    const r = await outcome(waitForTask(client, "t"));
    expect((r.error as Error).message).toBe("the fake has no such task");
  });

  it("keeps the created task's model on polled answers that leave it out", async () => {
    let n = 0;
    const client = {
      async getTask(id: string): Promise<Task> {
        return (
          ++n < 2
            ? { id, status: "in_progress", progress: 0.5 }
            : { id, status: "completed", output: [{ content: [{ url: "https://x/v.mp4" }] }] }
        ) as Task;
      },
    };
    const initialTask = { id: "t", status: "in_progress", model: "kirin_v3_i2v" } as Task;
    const r = await outcome(waitForTask(client, "t", { initialTask }));
    expect(r.value).toMatchObject({ status: "completed", model: "kirin_v3_i2v" });
  });
});
