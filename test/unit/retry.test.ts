import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKirinClient } from "../../src/client.js";
import { KirinAbortError, KirinRateLimitError } from "../../src/errors.js";
import { backoffMs, childSignal, isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter, retryEvent, sleep } from "../../src/retry.js";
import { type Fault, fakeGateway } from "./fake-gateway.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(" 1.5 ")).toBe(1500);
    expect(parseRetryAfter("0")).toBe(0);
  });
  it("reads an HTTP date relative to now; a past date means now", () => {
    const now = Date.parse("2026-11-22T04:00:00Z");
    expect(parseRetryAfter("Sun, 22 Nov 2026 04:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 03:59:00 GMT", now)).toBe(0);
  });
  it("caps long waits and ignores garbage", () => {
    expect(parseRetryAfter("86400")).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("-3")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
  });
});

describe("backoffMs", () => {
  it("doubles from 0.5 s to at most 8 s, with up to 25% jitter below", () => {
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(2, () => 0)).toBe(1000);
    expect(backoffMs(10, () => 0)).toBe(8000);
    expect(backoffMs(1, () => 1)).toBe(375);
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(3);
      expect(d).toBeGreaterThanOrEqual(1500);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 429 and 5xx only (a 409 conflict is there to stay)", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 402, 403, 404, 409, 413, 415, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("retryEvent", () => {
  it("numbers the try about to be made and waits the backoff of the tries that failed before it", () => {
    const error = new KirinRateLimitError({ status: 429, body: undefined });
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    try {
      expect(retryEvent("get", 2, error)).toMatchObject({
        operation: "get",
        attempt: 2,
        reason: "429",
        delayMs: 500,
        fromRetryAfter: false,
        error,
      });
      expect(retryEvent("poll", 3, error).delayMs).toBe(1_000);
      expect(retryEvent("lookup", 1, error).delayMs).toBe(500); // a create's look-up waits before its first try
      const slowDown = new KirinRateLimitError({ status: 429, body: undefined, retryAfterMs: 7_000 });
      expect(retryEvent("create", 2, slowDown)).toMatchObject({ delayMs: 7_000, fromRetryAfter: true });
    } finally {
      random.mockRestore();
    }
  });
});

describe("sleep and childSignal", () => {
  it("sleep rejects at once on abort and leaves no timer", async () => {
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error("bye");
    controller.abort(reason);
    await expect(p).rejects.toThrow(KirinAbortError);
    await expect(p).rejects.toMatchObject({ name: "KirinAbortError", cause: reason });
    expect(vi.getTimerCount()).toBe(0);
  });
  it("childSignal follows its parent, times out, and cleans up", async () => {
    const parent = new AbortController();
    const a = childSignal(parent.signal, 1000);
    parent.abort(new Error("parent"));
    expect(a.signal.aborted).toBe(true);
    expect(a.timedOut()).toBe(false);
    a.done();
    const b = childSignal(undefined, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.signal.aborted).toBe(true);
    expect(b.timedOut()).toBe(true);
    b.done();
  });
});

describe("client retries", () => {
  const body = { model: "kirin_v3_i2v" as const, image: "https://cdn.example.com/a.jpg", prompt: "p" };

  async function timesOfRequests(faults: (Fault | undefined)[], retries?: number) {
    const times: number[] = [];
    const start = Date.now();
    const gw = fakeGateway({ fault: (_req, n) => faults[n - 1] });
    const client = createKirinClient({
      apiKey: "k-123456",
      fetch: (r) => (times.push(Date.now() - start), gw.fetch(r)),
      ...(retries === undefined ? {} : { retries }),
    });
    const id = gw.seed();
    const result = client.getTask(id).then(
      (t) => t,
      (e: unknown) => e,
    );
    await vi.runAllTimersAsync();
    return { times, result: await result };
  }

  it("waits Retry-After seconds", async () => {
    const { times } = await timesOfRequests([{ kind: "status", status: 429, headers: { "retry-after": "7" } }]);
    expect(times).toEqual([0, 7000]);
  });

  it("waits until a Retry-After HTTP date", async () => {
    const at = new Date(Date.now() + 12_000).toUTCString();
    const { times } = await timesOfRequests([{ kind: "status", status: 503, headers: { "retry-after": at } }]);
    expect(times[1]).toBeGreaterThanOrEqual(11_000); // HTTP dates have whole-second precision
    expect(times[1]).toBeLessThanOrEqual(12_000);
  });

  it("caps a huge Retry-After at 60 s", async () => {
    const { times } = await timesOfRequests([{ kind: "status", status: 429, headers: { "retry-after": "3600" } }]);
    expect(times).toEqual([0, 60_000]);
  });

  it("backs off with jitter without Retry-After, 2 retries by default, then throws the last error", async () => {
    const always: Fault = { kind: "status", status: 429 };
    const { times, result } = await timesOfRequests([always, always, always, always]);
    expect(times).toHaveLength(3);
    expect(times[1]!).toBeGreaterThanOrEqual(375);
    expect(times[1]!).toBeLessThanOrEqual(500);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(750);
    expect(times[2]! - times[1]!).toBeLessThanOrEqual(1000);
    expect(result).toBeInstanceOf(KirinRateLimitError);
  });

  it("waits the same backoff before a create's first re-send as before any other first retry", async () => {
    const times: number[] = [];
    const start = Date.now();
    const gw = fakeGateway({ fault: (_req, n) => (n === 1 ? { kind: "status", status: 503 } : undefined) });
    const client = createKirinClient({ apiKey: "k-123456", fetch: (r) => (times.push(Date.now() - start), gw.fetch(r)) });
    const created = client.createTask(body);
    await vi.runAllTimersAsync();
    await created;
    expect(times).toHaveLength(2);
    expect(times[1]!).toBeGreaterThanOrEqual(375);
    expect(times[1]!).toBeLessThanOrEqual(500);
  });

  it("retries connection errors", async () => {
    const { times, result } = await timesOfRequests([{ kind: "drop-before" }]);
    expect(times).toHaveLength(2);
    expect(result).toMatchObject({ status: "pending" });
  });

  it("abort during a backoff wait rejects at once and leaves no timer", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 503, headers: { "retry-after": "30" } }) });
    const client = createKirinClient({ apiKey: "k-123456", fetch: gw.fetch });
    const controller = new AbortController();
    const p = client.createTask(body, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(1); // the 30 s wait
    const reason = new Error("cancelled by user");
    controller.abort(reason);
    const error = (await p) as KirinAbortError;
    expect(error).toBeInstanceOf(KirinAbortError);
    expect(error.cause).toBe(reason);
    // The 503 proved that nothing was made: there is no task to look for.
    expect(error).toMatchObject({ category: "retry-later", externalTaskId: undefined });
    expect(vi.getTimerCount()).toBe(0);
    expect(gw.log).toHaveLength(1);
  });
});
