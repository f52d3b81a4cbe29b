import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKirinClient } from "../../src/client.js";
import {
  KirinAuthenticationError,
  KirinConflictError,
  KirinConnectionError,
  KirinInternalServerError,
  KirinValidationError,
} from "../../src/errors.js";
import type { KirinRequest } from "../../src/types.js";
import { fakeGateway } from "./fake-gateway.js";

const body: KirinRequest = { model: "kirin_v3_i2v", image: "https://cdn.example.com/fox.jpg", prompt: "a fox runs" };
const KEY = "sk-test-0123456789abcdef";

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/** Runs the promise while the fake clock advances timer by timer. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  const result = promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  await vi.runAllTimersAsync();
  const r = await result;
  if ("error" in r) throw r.error;
  return r.value;
}

describe("createTask", () => {
  it("wraps the flat body in the envelope, adds an external_task_id and sends the bearer key", async () => {
    const seen: Request[] = [];
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, baseUrl: "https://gw.example/", fetch: (r) => (seen.push(r.clone()), gw.fetch(r)) });
    const task = await settle(client.createTask(body));
    expect(task.status).toBe("pending");
    const sent = seen[0]!;
    expect(sent.url).toBe("https://gw.example/model/v1/generation");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${KEY}`);
    const wire = (await sent.json()) as { model: string; input: { params: Record<string, unknown> }[] };
    expect(wire.model).toBe("kirin_v3_i2v");
    expect(wire.input).toHaveLength(1);
    expect(wire.input[0]!.params).toMatchObject({ image: body.image, prompt: body.prompt });
    expect(wire.input[0]!.params.external_task_id).toMatch(/^kirin-/);
    expect(wire.input[0]!.params).not.toHaveProperty("model");
  });

  it("keeps the caller's external_task_id", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.createTask({ ...body, external_task_id: "order-1" }));
    expect(task.external_task_id).toBe("order-1");
  });

  it("defaults to the contract's production server", async () => {
    const urls: string[] = [];
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: (r) => (urls.push(r.url), gw.fetch(r)) });
    await settle(client.createTask(body));
    expect(urls[0]).toBe("https://cloud.vtrix.ai/model/v1/generation");
  });

  it("throws KirinValidationError with the issues and sends nothing", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const bad = { model: "kirin_v3_i2v", prompt: "no image" } as KirinRequest;
    const error = await settle(client.createTask(bad)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinValidationError);
    expect((error as KirinValidationError).issues.map((i) => i.path)).toContain("/image");
    expect(gw.log).toHaveLength(0);
  });

  it("sends an invalid body when validate is false (the server's verdict then decides)", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, validate: false });
    await settle(client.createTask({ model: "kirin_v3_i2v", prompt: "no image" } as KirinRequest));
    expect(gw.log).toHaveLength(1);
  });

  it("never double-bills: a connection dropped after the server created the task returns that task", async () => {
    const gw = fakeGateway({ fault: (req, n) => (n === 1 && req.method === "POST" ? { kind: "drop-after" } : undefined) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.createTask(body));
    expect(gw.billed()).toBe(1);
    expect(gw.tasks.size).toBe(1);
    expect(task.id).toBe("task_1");
    // POST (dropped), then the look-up by external id found it: no second POST.
    expect(gw.log.map((c) => c.method)).toEqual(["POST", "GET"]);
    expect(gw.log[1]!.path).toMatch(/\/task\/kirin-/);
  });

  it("never double-bills: a 500 after the body was processed is looked up, not re-sent", async () => {
    const gw = fakeGateway({ fault: (req, n) => (n === 1 ? { kind: "status", status: 500, after: true } : undefined) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    await settle(client.createTask(body));
    expect(gw.billed()).toBe(1);
    expect(gw.log.map((c) => c.method)).toEqual(["POST", "GET"]);
  });

  it("never double-bills: a create that times out after the server made the task returns that task", async () => {
    const gw = fakeGateway();
    let posts = 0;
    // The first POST reaches the server, which creates the task, but the answer never comes back.
    const fetch = async (req: Request) => {
      if (req.method === "POST" && ++posts === 1) {
        await gw.fetch(req);
        return new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));
      }
      return gw.fetch(req);
    };
    const client = createKirinClient({ apiKey: KEY, fetch, timeoutMs: 5_000 });
    const task = await settle(client.createTask(body));
    expect(task.id).toBe("task_1");
    expect(gw.billed()).toBe(1);
    expect(posts).toBe(1);
  });

  it("re-sends when the look-up says 404 (the first attempt never arrived)", async () => {
    const gw = fakeGateway({ fault: (req, n) => (n === 1 ? { kind: "drop-before" } : undefined) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.createTask(body));
    expect(task.id).toBe("task_1");
    expect(gw.billed()).toBe(1);
    expect(gw.log.map((c) => c.method)).toEqual(["POST", "GET", "POST"]);
  });

  it("re-sends a 429 after Retry-After without a look-up (a refusal made nothing)", async () => {
    const gw = fakeGateway({ fault: (_req, n) => (n === 1 ? { kind: "status", status: 429, headers: { "retry-after": "3" } } : undefined) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const start = Date.now();
    let sentAt = 0;
    const p = client.createTask(body).then((t) => ((sentAt = Date.now()), t));
    await settle(p);
    expect(sentAt - start).toBe(3000);
    expect(gw.log.map((c) => c.method)).toEqual(["POST", "POST"]);
  });

  it("does not retry a 409 conflict on create", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    await settle(client.createTask({ ...body, external_task_id: "order-9" }));
    const error = await settle(client.createTask({ ...body, prompt: "another fox", external_task_id: "order-9" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinConflictError);
    expect(gw.log.filter((c) => c.method === "POST")).toHaveLength(2);
    expect(gw.billed()).toBe(1);
  });

  it("gives up after the configured retries with the last error", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 503 }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 1 });
    const error = await settle(client.getTask("task_1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinInternalServerError);
    expect((error as KirinInternalServerError).status).toBe(503);
    expect(gw.log).toHaveLength(2);
  });
});

describe("getTask", () => {
  it("finds a task by id or by external id, and maps status synonyms", async () => {
    const gw = fakeGateway({ plan: { durationMs: 10_000, words: { running: "in_progress" } } });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const created = await settle(client.createTask({ ...body, external_task_id: "order-2" }));
    vi.setSystemTime(Date.now() + 5_000);
    expect((await settle(client.getTask(created.id))).status).toBe("processing");
    expect((await settle(client.getTask("order-2"))).id).toBe(created.id);
  });

  it("does not retry 401", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 401 }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    await expect(settle(client.getTask("x"))).rejects.toBeInstanceOf(KirinAuthenticationError);
    expect(gw.log).toHaveLength(1);
  });

  it("times out a hanging request and reports a connection error", async () => {
    const hang = (req: Request) => new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));
    const client = createKirinClient({ apiKey: KEY, fetch: hang, retries: 0, timeoutMs: 1000 });
    const error = await settle(client.getTask("x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect((error as KirinConnectionError).timedOut).toBe(true);
  });

  it("aborts with the caller's reason", async () => {
    const hang = (req: Request) => new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));
    const client = createKirinClient({ apiKey: KEY, fetch: hang });
    const controller = new AbortController();
    const p = client.getTask("x", { signal: controller.signal });
    controller.abort(new Error("user gave up"));
    await expect(p).rejects.toThrow("user gave up");
  });
});

describe("generate", () => {
  it("creates and waits to completion", async () => {
    const gw = fakeGateway({ plan: { durationMs: 45_000, progress: true } });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.generate(body));
    expect(task.status).toBe("completed");
    expect(gw.billed()).toBe(1);
  });
});

describe("raw", () => {
  it("is the authenticated openapi-fetch client", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const { error, response } = await client.raw.GET("/model/v1/generation/task/{id}", { params: { path: { id: "nope" } } });
    expect(response.status).toBe(404);
    expect(error?.error.code).toBe("not_found");
  });
});

describe("raw.use middleware", () => {
  it("sees real Requests from the client's own calls, and can change them", async () => {
    const gw = fakeGateway();
    const seen: Request[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      fetch: (request) => {
        seen.push(request);
        return gw.fetch(request);
      },
    });
    client.raw.use({
      onRequest({ request }) {
        expect(request).toBeInstanceOf(Request);
        request.headers.set("x-trace", "t-1");
        return request;
      },
    });
    const created = await settle(client.createTask(body));
    await settle(client.getTask(created.id));
    expect(seen.map((r) => r.headers.get("x-trace"))).toEqual(["t-1", "t-1"]);
  });
});
