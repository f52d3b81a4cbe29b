import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKirinClient } from "../../src/client.js";
import {
  apiError,
  KirinApiError,
  KirinAuthenticationError,
  KirinBadRequestError,
  KirinConflictError,
  KirinConnectionError,
  KirinError,
  KirinInternalServerError,
  KirinNotFoundError,
  KirinPayloadTooLargeError,
  KirinPermissionDeniedError,
  KirinRateLimitError,
  KirinTaskFailedError,
  KirinTimeoutError,
  KirinUnsupportedMediaTypeError,
  KirinValidationError,
  redactor,
} from "../../src/errors.js";
import type { Task } from "../../src/types.js";

const KEY = "sk-live-SECRET-7f3a9c21d4e5";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Every way an error can be shown: message, stack, JSON, Node's inspect (with its cause). */
function everyView(error: unknown): string {
  return [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join("\n");
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  const r = promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  await vi.runAllTimersAsync();
  return r;
}

describe("apiError", () => {
  it.each([
    [400, KirinBadRequestError],
    [401, KirinAuthenticationError],
    [403, KirinPermissionDeniedError],
    [404, KirinNotFoundError],
    [409, KirinConflictError],
    [413, KirinPayloadTooLargeError],
    [415, KirinUnsupportedMediaTypeError],
    [429, KirinRateLimitError],
    [500, KirinInternalServerError],
    [503, KirinInternalServerError],
    [418, KirinApiError],
  ])("maps %i to its class", (status, Class) => {
    const error = apiError({ status, body: { error: { code: "c", message: "m", request_id: "req_1" } } });
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(KirinApiError);
    expect(error).toBeInstanceOf(KirinError);
    expect(error).toMatchObject({ status, code: "c", requestId: "req_1" });
    expect(error.message).toBe(`${status} c: m (request req_1)`);
  });

  it("copes with a body outside the contract", () => {
    const error = apiError({ status: 502, body: "<html>Bad gateway</html>", requestId: "r9" });
    expect(error.code).toBe("http_502");
    expect(error.message).toContain("Bad gateway");
    expect(error.requestId).toBe("r9");
    expect(apiError({ status: 500, body: undefined }).message).toBe("500 http_500");
  });

  it("exposes server validation issues", () => {
    const issues = [{ path: "/input/0/params/prompt", rule: "prompt-required", message: "missing", severity: "error" }];
    expect(apiError({ status: 400, body: { error: { code: "invalid_request", message: "bad", issues } } }).issues).toEqual(issues);
  });
});

describe("task errors", () => {
  const failed = (code: string): Task => ({ id: "t1", model: "kirin_v3_i2v", status: "failed", error: { code, error_message: "why" } });
  it("KirinTaskFailedError carries code, message, task and retryable", () => {
    const e = new KirinTaskFailedError(failed("006001094"));
    expect(e).toMatchObject({ code: "006001094", errorMessage: "why", retryable: true, taskId: "t1" });
    expect(new KirinTaskFailedError(failed("006001099")).retryable).toBe(false);
  });
  it("KirinTimeoutError carries the task id and last task", () => {
    const task: Task = { id: "t2", model: "m", status: "processing", progress: 0.4 };
    const e = new KirinTimeoutError("t2", task, 60_000);
    expect(e.taskId).toBe("t2");
    expect(e.lastTask).toBe(task);
    expect(e.message).toContain("60 s");
  });
  it("KirinValidationError names the first error's path and counts the rest", () => {
    const e = new KirinValidationError([
      { path: "/prompt", rule: "r", message: "is missing", severity: "error" },
      { path: "/image", rule: "r2", message: "bad", severity: "error" },
    ]);
    expect(e.message).toBe("Invalid request: /prompt: is missing (and 1 more)");
  });
});

describe("the API key never shows", () => {
  it("redactor scrubs strings, keys and nested values", () => {
    const redact = redactor(KEY);
    expect(redact({ a: [`Bearer ${KEY}`], [KEY]: 1 })).toEqual({ a: ["Bearer [redacted]"], "[redacted]": 1 });
  });

  it("not in a connection error from a fetch whose message quotes the key", async () => {
    const fetch = async () => {
      throw new TypeError(`request to https://gw/ failed, headers: {"Authorization":"Bearer ${KEY}"}`);
    };
    const client = createKirinClient({ apiKey: KEY, fetch, retries: 0 });
    const error = await failure(client.getTask("t1"));
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect((error as Error).message).toContain("[redacted]");
    expect(everyView(error)).not.toContain(KEY);
    expect(everyView((error as Error).cause)).not.toContain(KEY);
  });

  it("not in an API error whose body echoes the key", async () => {
    const fetch = async () =>
      new Response(JSON.stringify({ error: { code: "unauthorized", message: `key ${KEY} is not valid`, request_id: "r1" } }), {
        status: 401,
        headers: { "content-type": "application/json" },
      });
    const client = createKirinClient({ apiKey: KEY, fetch });
    const error = await failure(client.getTask("t1"));
    expect(error).toBeInstanceOf(KirinAuthenticationError);
    expect(everyView(error)).not.toContain(KEY);
    expect(JSON.stringify((error as KirinApiError).body)).not.toContain(KEY);
  });

  it("not in a non-JSON error body either", async () => {
    const fetch = async () => new Response(`upstream said: Authorization: Bearer ${KEY}`, { status: 502 });
    const client = createKirinClient({ apiKey: KEY, fetch, retries: 0 });
    const error = await failure(client.getTask("t1"));
    expect(everyView(error)).not.toContain(KEY);
  });

  it("not in the client object", () => {
    const client = createKirinClient({ apiKey: KEY, fetch: async () => new Response("{}") });
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(client)).not.toContain(KEY);
  });

  it("not in the error for a missing key", () => {
    expect(() => createKirinClient({ apiKey: "" })).toThrow(KirinError);
  });
});
