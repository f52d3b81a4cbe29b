// Replays what the real gateway sends (test/fixtures/wire/*.json, from its vendor's own clients,
// and wire-variants.ts, more of the same kinds): the contract accepts every answer, the client
// turns each into the documented Task or the right error, and parseCallback reads each task the
// way polling does.
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseCallback } from "../../src/callbacks.js";
import { createKirinClient } from "../../src/client.js";
import {
  KirinApiError,
  KirinAuthenticationError,
  KirinBadRequestError,
  KirinCreateRejectedError,
  KirinInsufficientCreditsError,
  KirinInternalServerError,
  KirinNotFoundError,
  KirinPermissionDeniedError,
  KirinRateLimitError,
  KirinTaskFailedError,
} from "../../src/errors.js";
import { taskCost, videoUrls } from "../../src/task.js";
import type { KirinRequest, Task } from "../../src/types.js";
import { variants, type WireFixture } from "../fixtures/wire-variants.js";
import { inlineValidator, responseSchema, schemaValidator } from "../support/contract.js";

const dir = new URL("../fixtures/wire/", import.meta.url);
const shared: Record<string, WireFixture> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("req-"))
    .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(new URL(f, dir), "utf8")) as WireFixture]),
);
const fixtures: Record<string, WireFixture> = { ...shared, ...variants };
const byKind = (kind: string) => Object.entries(fixtures).filter(([, f]) => f.meta.kind === kind);

const KEY = "sk-test-wire-0123456789";
const body: KirinRequest = { model: "kirin_v3_i2v", image: "https://cdn.example.com/fox.jpg", prompt: "a fox runs" };
const DONE = { id: "x", status: "completed", output: [{ content: [{ type: "video", url: "https://cdn.example.com/done.mp4" }] }] };

type Outcome =
  | { task: Partial<Task>; urls?: string[]; cost?: string | undefined }
  | { error: new (...args: never[]) => Error; code?: string; originalCode?: string | number; message: string };

// What each answer must become: a task in the documented form, or an error in the server's words.
const expected: Record<string, Outcome> = {
  "create-in-progress": { task: { id: "task-1", status: "processing", model: "kirin_v2_6_i2v" } },
  "create-in-progress-created-at": { task: { id: "task-1", status: "processing", model: "model-1", created_at: 1000 } },
  "create-failed": {
    error: KirinTaskFailedError,
    code: "000110001",
    originalCode: 110001,
    message: "input image may contain sensitive information",
  },
  "create-documented-pending": { task: { id: "task_01", status: "pending", created_at: 1763786400000 } },
  "create-in-queue-old-word": { task: { id: "task_02", status: "pending", model: "kirin_v3_i2v" } },
  "create-rejected-error-string": { error: KirinCreateRejectedError, message: "insufficient balance" },
  "create-rejected-status-wrapper": { error: KirinInsufficientCreditsError, code: "40201", message: "Insufficient credits" },
  "create-failed-string-code": { error: KirinTaskFailedError, code: "006001099", message: "Task creation error" },
  "task-in-progress": { task: { id: "task_wait", status: "processing", progress: 0.4, model: "vidu_q3_reference" } },
  "task-in-progress-minimal": { task: { id: "t", status: "processing", progress: 0.2 } },
  "task-queued-progress-zero": { task: { status: "processing", progress: 0, created_at: 1763786400000 } },
  "task-processing-percent": { task: { status: "processing", progress: 0.4 } },
  "task-unknown-status": { task: { status: "rendering_frames", progress: 0.7 } },
  "task-completed-video": { task: { status: "completed", progress: 1 }, urls: ["https://example.com/out.mp4"], cost: undefined },
  "task-completed-vtrix-struct": {
    task: { status: "completed", created_at: 1710000000000, model: "kirin_v3_i2v" },
    urls: ["https://cdn.example.com/d758n65e878c73cmdg20.mp4"],
    cost: "0.35",
  },
  "task-completed-seaart-go-struct": {
    task: { status: "completed", model: "kirin_v3_omni_video" },
    urls: ["https://example.com/out.mp4"],
    cost: "0.01429",
  },
  "task-completed-sync-image": { task: { status: "completed" }, urls: [], cost: "0.0065" },
  "task-success-old-word": { task: { status: "completed" }, urls: ["https://cdn.example.com/7.mp4"], cost: "0" },
  "task-completed-two-results": {
    task: { status: "completed", created_at: 1763786400123 },
    urls: ["https://cdn.example.com/8.mp4"],
    cost: "0.7000",
  },
  "task-failed-error-message": { error: KirinTaskFailedError, code: "unknown", message: "provider rejected request" },
  "task-failed-int-code-message": {
    error: KirinTaskFailedError,
    code: "000110001",
    originalCode: 110001,
    message: "input image may contain sensitive information",
  },
  "task-failed-empty-usage": {
    error: KirinTaskFailedError,
    code: "000190000",
    originalCode: 190000,
    message: "download input audio failed",
  },
  "task-failed-seed-code-as-int": {
    error: KirinTaskFailedError,
    code: "006001094",
    originalCode: 6001094,
    message: "Task resource insufficient",
  },
  "task-failed-seed-code-as-short-string": {
    error: KirinTaskFailedError,
    code: "006001095",
    originalCode: "6001095",
    message: "Task response error",
  },
  "task-failed-plain-string": { error: KirinTaskFailedError, code: "unknown", message: "download input audio failed" },
  "task-cancelled": { error: KirinTaskFailedError, code: "unknown", message: "" },
  "err-400-message": { error: KirinBadRequestError, code: "http_400", message: "400 http_400: bad request" },
  "err-401-error-string": { error: KirinAuthenticationError, code: "http_401", message: "401 http_401: Missing Token" },
  "err-401-error-object-message": { error: KirinAuthenticationError, code: "http_401", message: "401 http_401: invalid api key" },
  "err-404-status-wrapper": { error: KirinNotFoundError, code: "404", message: "404 404: missing" },
  "err-5xx-error-message": { error: KirinInternalServerError, code: "http_500", message: "500 http_500: Task creation error" },
  "err-402-status-wrapper": { error: KirinInsufficientCreditsError, code: "40201", message: "402 40201: Insufficient credits" },
  "err-429-error-code": { error: KirinRateLimitError, code: "1002", message: "429 1002: rate limit exceeded" },
  "err-503-error-object": { error: KirinInternalServerError, code: "http_503", message: "503 http_503: service busy" },
  "err-403-mock-envelope": {
    error: KirinPermissionDeniedError,
    code: "forbidden",
    message: "403 forbidden: key has no access to kirin_v3_i2v (request req_9)",
  },
};

/** A fetch that answers every request with `fixture`, then (for polls) a finished task. */
function replay(fixture: WireFixture, then?: unknown) {
  let n = 0;
  return async (_request: Request) => {
    const first = n++ === 0 || then === undefined;
    const [answer, status] = first ? [fixture.body, fixture.meta.http_status] : [then, 200];
    return new Response(JSON.stringify(answer), { status, headers: { "content-type": "application/json" } });
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return result;
}

function check(outcome: { value?: Task; error?: unknown }, want: Outcome) {
  if ("task" in want) {
    expect(outcome.error).toBeUndefined();
    expect(outcome.value).toMatchObject(want.task);
    if (want.urls) expect(videoUrls(outcome.value!)).toEqual(want.urls);
    if ("cost" in want) expect(taskCost(outcome.value!)).toBe(want.cost);
    // Whatever came, what comes out is the documented form.
    const documented = schemaValidator("Task");
    expect(documented(outcome.value), JSON.stringify(documented.errors)).toBe(true);
    return;
  }
  expect(outcome.error).toBeInstanceOf(want.error);
  const error = outcome.error as Error & { code?: string; originalCode?: unknown; errorMessage?: string };
  if (want.code !== undefined) expect(error.code).toBe(want.code);
  if (want.originalCode !== undefined) expect(error.originalCode).toBe(want.originalCode);
  if (error instanceof KirinTaskFailedError) expect(error.errorMessage).toBe(want.message);
  else expect(error.message).toContain(want.message);
}

describe("every wire fixture", () => {
  it("has an expected outcome here", () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
    expect(Object.keys(shared)).toHaveLength(17);
  });
});

describe("the contract accepts what the gateway sends", () => {
  const createAnswer = inlineValidator(responseSchema("/model/v1/generation", "post", "200"));
  const pollAnswer = inlineValidator(responseSchema("/model/v1/generation/task/{id}", "get", "200"));
  const callback = schemaValidator("TaskCallback");

  it.each(byKind("create"))("create answer %s", (_name, f) => {
    expect(createAnswer(f.body), JSON.stringify(createAnswer.errors)).toBe(true);
  });

  it.each(byKind("task"))("poll answer and callback %s", (_name, f) => {
    expect(pollAnswer(f.body), JSON.stringify(pollAnswer.errors)).toBe(true);
    expect(callback(f.body), JSON.stringify(callback.errors)).toBe(true);
  });

  it.each(byKind("error"))("error answer %s, under the status it came with", (_name, f) => {
    const [method, path] = (f.meta.endpoint ?? "").startsWith("POST")
      ? ["post", "/model/v1/generation"]
      : ["get", "/model/v1/generation/task/{id}"];
    const responses = Object.keys(JSON.parse(JSON.stringify(responseStatuses(path, method))));
    const status = responses.includes(String(f.meta.http_status)) ? String(f.meta.http_status) : "default";
    const validate = inlineValidator(responseSchema(path, method, status));
    expect(validate(f.body), JSON.stringify(validate.errors)).toBe(true);
  });
});

function responseStatuses(path: string, method: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8")).paths[path][method].responses;
}

describe("the client turns each answer into the documented Task or the right error", () => {
  it.each(byKind("create"))("createTask answered with %s", async (name, f) => {
    const client = createKirinClient({ apiKey: KEY, fetch: replay(f), retries: 0 });
    check(await settle(client.createTask(body)), expected[name]!);
  });

  it.each(byKind("task"))("waitForTask seeing %s", async (name, f) => {
    const seen: Task[] = [];
    const client = createKirinClient({ apiKey: KEY, fetch: replay(f, DONE), retries: 0 });
    const outcome = await settle(client.waitForTask("task_1", { onProgress: (t) => void seen.push(t) }));
    const want = expected[name]!;
    // A running task is reported as read, and the wait goes on to the finished one.
    if ("task" in want && want.task.status !== "completed") {
      check({ value: seen[0]! }, want);
      expect(outcome.value?.status).toBe("completed");
    } else check(outcome, want);
  });

  it.each(byKind("error"))("getTask answered with %s", async (name, f) => {
    const client = createKirinClient({ apiKey: KEY, fetch: replay(f), retries: 0 });
    check(await settle(client.getTask("task_1")), expected[name]!);
  });

  it.each(byKind("error").filter(([, f]) => f.meta.http_status !== 503 && f.meta.http_status !== 500))(
    "createTask answered with %s is not sent again",
    async (name, f) => {
      let posts = 0;
      const fetch = replay(f);
      const client = createKirinClient({ apiKey: KEY, fetch: (r) => ((posts += r.method === "POST" ? 1 : 0), fetch(r)), retries: 3 });
      const outcome = await settle(client.createTask(body));
      expect(outcome.error).toBeInstanceOf(KirinApiError);
      expect(posts).toBe(f.meta.http_status === 429 ? 4 : 1);
      expect((outcome.error as Error).message).toContain((expected[name] as { message: string }).message.replace(/ \(request .*\)$/, ""));
    },
  );
});

describe("parseCallback reads each task like polling does", () => {
  it.each(byKind("task"))("%s", (name, f) => {
    const task = parseCallback(JSON.stringify(f.body));
    const want = expected[name]!;
    if ("task" in want) check({ value: task }, want);
    else {
      expect(task.status).toBe("failed");
      check({ error: new KirinTaskFailedError(task) }, want);
    }
  });
});
