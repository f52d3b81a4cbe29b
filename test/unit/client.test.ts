import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { requestIdOf, retryAfterOf } from "../../src/answer.js";
import { createKirinClient } from "../../src/client.js";
import { createKirinClient as createLightClient } from "../../src/client-entry.js";
import {
  KirinApiError,
  KirinAuthenticationError,
  KirinBadRequestError,
  KirinConflictError,
  KirinConnectionError,
  KirinCreateOutcomeUnknownError,
  KirinCreateRejectedError,
  KirinError,
  KirinInsufficientCreditsError,
  KirinInternalServerError,
  KirinPayloadTooLargeError,
  KirinTaskFailedError,
  KirinValidationError,
} from "../../src/errors.js";
import type { RetryEvent } from "../../src/events.js";
import type { KirinRequest } from "../../src/types.js";
import { type Fault, fakeGateway } from "./fake-gateway.js";

const body: KirinRequest = { model: "kirin_v3_i2v", image: "https://cdn.example.com/fox.jpg", prompt: "a fox runs" };
const KEY = "sk-test-0123456789abcdef";

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/** Runs the promise while the fake clock advances timer by timer. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
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
    // The fake gateway runs the mock's core, which applies the same rules and answers 400.
    const error = (await settle(client.createTask({ model: "kirin_v3_i2v", prompt: "no image" } as KirinRequest)).catch(
      (e: unknown) => e,
    )) as KirinApiError;
    expect(error).toBeInstanceOf(KirinApiError);
    expect(error.status).toBe(400);
    expect(gw.log).toHaveLength(1);
  });

  it("returns a create answered in the wire's shapes in the documented form, keeping the model it sent", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "answer", status: 200, body: { id: "d758n65e878c73cmdg20", status: "in_progress" } }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.createTask(body));
    expect(task).toEqual({ id: "d758n65e878c73cmdg20", status: "processing", model: "kirin_v3_i2v" });
  });

  it("keeps the server's request id of a successful answer (requestIdOf)", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const task = await settle(client.createTask(body));
    expect(requestIdOf(task)).toBe("req_1");
    expect(Object.keys(task)).not.toContain("_request_id");
  });

  it("keeps the server's Retry-After of a task's answer (retryAfterOf), and none for a task it did not read", async () => {
    const gw = fakeGateway();
    const fetch = async (req: Request) => {
      const res = await gw.fetch(req);
      const headers = new Headers(res.headers);
      headers.set("retry-after", "4");
      return new Response(await res.text(), { status: res.status, headers });
    };
    const task = await settle(createKirinClient({ apiKey: KEY, fetch }).createTask(body));
    expect(retryAfterOf(task)).toBe(4_000);
    expect(retryAfterOf({ ...task })).toBeUndefined();
    // Kept beside the task, never in it: no field and no symbol holds the 4 s.
    expect(Reflect.ownKeys(task).filter((k) => typeof k === "symbol")).toEqual([]);
    expect(Object.values(task)).not.toContain(4_000);
  });

  it("keeps the request id of the answer a task was read from through waitForTask, generate and a create's look-up", async () => {
    const gw = fakeGateway({ plan: { durationMs: 5_000 } });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const waited = await settle(client.waitForTask(gw.seed()));
    expect(requestIdOf(waited)).toBe(`req_${gw.log.length}`);
    const generated = await settle(client.generate(body));
    expect(requestIdOf(generated)).toBe(`req_${gw.log.length}`);

    // The create's answer is lost after the server made the task; the look-up finds it.
    const lost = fakeGateway({
      fault: (req, n) => (n === 1 && req.method === "POST" ? { kind: "status", status: 500, after: true } : undefined),
    });
    const found = await settle(createKirinClient({ apiKey: KEY, fetch: lost.fetch }).createTask(body));
    expect(lost.log.map((c) => c.method)).toEqual(["POST", "GET"]);
    expect(requestIdOf(found)).toBe("req_2");
  });

  it("fills the model the create named into a look-up's answer that leaves it out, as the gateway's do", async () => {
    const gw = fakeGateway({
      fault: (req, n) =>
        n === 1 && req.method === "POST"
          ? { kind: "status", status: 500, after: true }
          : { kind: "answer", status: 200, body: { id: "task_1", status: "in_progress", progress: 0 } },
    });
    const task = await settle(createKirinClient({ apiKey: KEY, fetch: gw.fetch }).createTask(body));
    expect(gw.log.map((c) => c.method)).toEqual(["POST", "GET"]);
    expect(task).toEqual({ id: "task_1", status: "processing", progress: 0, model: "kirin_v3_i2v" });
  });
});

// The billing invariant, branch by branch: a second create is sent only when an answer proved the
// first made nothing, or the caller opted in. `gw.billed()` counts the tasks the server made.
describe("createTask never bills twice", () => {
  const methods = (gw: ReturnType<typeof fakeGateway>) => gw.log.map((c) => c.method);
  const firstPost = (fault: Fault) => (req: Request, n: number) => (n === 1 && req.method === "POST" ? fault : undefined);

  describe("re-sends when an answer proves nothing was made", () => {
    it.each<[string, Fault]>([
      ["a refused connection (ECONNREFUSED)", { kind: "drop-before" }],
      ["429", { kind: "status", status: 429, headers: { "retry-after": "1" } }],
      ["503", { kind: "status", status: 503, headers: { "retry-after": "1" } }],
      ["408", { kind: "status", status: 408 }],
    ])("after %s, without a look-up", async (_what, fault) => {
      const gw = fakeGateway({ fault: firstPost(fault) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const task = await settle(client.createTask(body));
      expect(task.id).toBe("task_1");
      expect(methods(gw)).toEqual(["POST", "POST"]);
      expect(gw.billed()).toBe(1);
    });

    it("waits the 429's Retry-After before sending again", async () => {
      const gw = fakeGateway({
        fault: (_req, n) => (n === 1 ? { kind: "status", status: 429, headers: { "retry-after": "3" } } : undefined),
      });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const start = Date.now();
      await settle(client.createTask(body));
      expect(gw.log[1]!.at - start).toBe(3000);
    });
  });

  describe("looks the task up after an unclear failure, and returns it when it exists", () => {
    it.each<[string, Fault]>([
      ["a 500 after the server made it", { kind: "status", status: 500, after: true }],
      ["a 502 after the server made it", { kind: "status", status: 502, after: true }],
      ["a connection that broke after the server made it", { kind: "drop-after" }],
      ["a 200 that is not JSON", { kind: "answer", status: 200, body: "<html>ok</html>", after: true }],
    ])("%s", async (_what, fault) => {
      const gw = fakeGateway({ fault: firstPost(fault) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const task = await settle(client.createTask(body));
      expect(task).toMatchObject({ id: "task_1", model: "kirin_v3_i2v" });
      expect(methods(gw)).toEqual(["POST", "GET"]);
      expect(gw.log[1]!.path).toMatch(/\/task\/kirin-/);
      expect(gw.billed()).toBe(1);
    });

    it("a create that timed out after the server made the task", async () => {
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

    it("a look-up that fails transiently is tried again", async () => {
      const gw = fakeGateway({
        fault: (_req, n) =>
          n === 1 ? { kind: "status", status: 500, after: true } : n === 2 ? { kind: "status", status: 503 } : undefined,
      });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const task = await settle(client.createTask(body));
      expect(task.id).toBe("task_1");
      expect(methods(gw)).toEqual(["POST", "GET", "GET"]);
    });
  });

  describe("does not send again when the look-up does not find it (the gateway documents no such proof)", () => {
    it.each<[string, Fault]>([
      ["a 500 before the server made anything", { kind: "status", status: 500 }],
      ["a connection that broke with no code that says when", { kind: "drop-unclear" }],
    ])("%s: KirinCreateOutcomeUnknownError with the external_task_id", async (_what, fault) => {
      const gw = fakeGateway({ fault: firstPost(fault) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const error = (await settle(client.createTask({ ...body, external_task_id: "order-77" })).catch(
        (e: unknown) => e,
      )) as KirinCreateOutcomeUnknownError;
      expect(error).toBeInstanceOf(KirinCreateOutcomeUnknownError);
      expect(error.externalTaskId).toBe("order-77");
      expect(error.category).toBe("outcome-unknown");
      expect(error.message).toContain("order-77");
      expect(error.cause).toBeInstanceOf(KirinError);
      expect(methods(gw)).toEqual(["POST", "GET"]);
      expect(gw.billed()).toBe(0);
    });

    it("with no retries left, not even a look-up", async () => {
      const gw = fakeGateway({ fault: firstPost({ kind: "status", status: 500 }) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 0 });
      await expect(settle(client.createTask(body))).rejects.toBeInstanceOf(KirinCreateOutcomeUnknownError);
      expect(methods(gw)).toEqual(["POST"]);
    });

    it("when every look-up fails, the outcome stays unknown", async () => {
      const gw = fakeGateway({
        fault: (req, n) =>
          n === 1 ? { kind: "status", status: 500, after: true } : req.method === "GET" ? { kind: "status", status: 502 } : undefined,
      });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 3 });
      const error = await settle(client.createTask(body)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KirinCreateOutcomeUnknownError);
      expect((error as Error).message).toContain("look-up failed too");
      expect(methods(gw)).toEqual(["POST", "GET", "GET", "GET"]);
      expect(gw.billed()).toBe(1);
    });

    it("resendIfAbsent opts in: a 404 to the look-up is taken as proof, and the create is sent again", async () => {
      const gw = fakeGateway({ fault: firstPost({ kind: "status", status: 500 }) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, resendIfAbsent: true });
      const task = await settle(client.createTask(body));
      expect(task.id).toBe("task_1");
      expect(methods(gw)).toEqual(["POST", "GET", "POST"]);
      expect(gw.billed()).toBe(1);
      // Per call too.
      const other = fakeGateway({ fault: firstPost({ kind: "status", status: 500 }) });
      const plain = createKirinClient({ apiKey: KEY, fetch: other.fetch });
      await settle(plain.createTask(body, { resendIfAbsent: true }));
      expect(methods(other)).toEqual(["POST", "GET", "POST"]);
    });
  });

  describe("never sends again after a refusal", () => {
    it.each<[string, Fault, typeof KirinApiError]>([
      ["400", { kind: "answer", status: 400, body: { message: "bad request" } }, KirinBadRequestError],
      [
        "402",
        { kind: "answer", status: 402, body: { status: { code: 402, message: "Insufficient credits", error_code: 40201 }, data: null } },
        KirinInsufficientCreditsError,
      ],
      ["409", { kind: "status", status: 409 }, KirinConflictError],
      ["413", { kind: "status", status: 413 }, KirinPayloadTooLargeError],
    ])("%s", async (_status, fault, Class) => {
      const gw = fakeGateway({ fault: firstPost(fault) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 5 });
      const error = await settle(client.createTask(body)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Class);
      expect(methods(gw)).toEqual(["POST"]);
    });

    it("402 says the server's words and is an account problem", async () => {
      const gw = fakeGateway({
        fault: () => ({
          kind: "answer",
          status: 402,
          body: { status: { code: 402, message: "Insufficient credits", error_code: 40201 }, data: null },
        }),
      });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const error = (await settle(client.createTask(body)).catch((e: unknown) => e)) as KirinInsufficientCreditsError;
      expect(error.message).toBe("402 40201: Insufficient credits (request req_1)");
      expect(error.category).toBe("account");
    });

    it("a 200 without a task id: KirinCreateRejectedError with the server's reason, and no poll of /task/{id}", async () => {
      const gw = fakeGateway({
        fault: firstPost({ kind: "answer", status: 200, body: { error: { code: 6001099, error_message: "Task creation error" } } }),
      });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const error = (await settle(client.generate(body)).catch((e: unknown) => e)) as KirinCreateRejectedError;
      expect(error).toBeInstanceOf(KirinCreateRejectedError);
      expect(error.serverMessage).toBe("Task creation error");
      expect(error.message).toContain("Task creation error");
      expect(methods(gw)).toEqual(["POST"]);
      expect(gw.log.some((c) => /%7Bid%7D|undefined|null/.test(c.path))).toBe(false);
    });

    it("a 200 whose task already failed: KirinTaskFailedError at once, without polling", async () => {
      const failed = {
        id: "task_fail_details",
        status: "failed",
        error: { code: 110001, message: "input image may contain sensitive information" },
      };
      const gw = fakeGateway({ fault: firstPost({ kind: "answer", status: 200, body: failed }) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
      const error = (await settle(client.generate(body)).catch((e: unknown) => e)) as KirinTaskFailedError;
      expect(error).toBeInstanceOf(KirinTaskFailedError);
      expect(error).toMatchObject({
        code: "000110001",
        originalCode: 110001,
        errorMessage: "input image may contain sensitive information",
        retryable: false,
      });
      expect(methods(gw)).toEqual(["POST"]);
    });
  });

  it("reports each retry to onRetry with its operation, reason and delay", async () => {
    const gw = fakeGateway({
      fault: (_req, n) =>
        n === 1
          ? { kind: "status", status: 429, headers: { "retry-after": "2" } }
          : n === 2
            ? { kind: "status", status: 500, after: true }
            : undefined,
    });
    const events: RetryEvent[] = [];
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, hooks: { onRetry: (e) => events.push(e) } });
    await settle(client.createTask(body));
    expect(events.map(({ operation, attempt, reason, fromRetryAfter }) => ({ operation, attempt, reason, fromRetryAfter }))).toEqual([
      { operation: "create", attempt: 2, reason: "429", fromRetryAfter: true },
      { operation: "lookup", attempt: 1, reason: "500", fromRetryAfter: false },
    ]);
    expect(events[0]!.delayMs).toBe(2000);
  });
});

describe("createTask's retries", () => {
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

  it("refuses a missing id before sending anything: no path ever holds {id}, undefined or null", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    for (const id of [undefined, null, "", "  ", "undefined", "null", 42]) {
      await expect(settle(client.getTask(id as string))).rejects.toThrow(/task id is required/);
      await expect(settle(client.waitForTask(id as string))).rejects.toThrow(/task id is required/);
    }
    expect(gw.log).toEqual([]);
  });

  it("gives the server's own words from any error envelope, with status and code", async () => {
    const cases: [number, unknown, string][] = [
      [400, { message: "bad request" }, "400 http_400: bad request"],
      [401, { error: "Missing Token" }, "401 http_401: Missing Token"],
      [401, { error: { message: "invalid api key" } }, "401 http_401: invalid api key"],
      [404, { status: { code: 404, message: "missing" }, data: null }, "404 404: missing"],
      [429, { error: { code: 1002, message: "rate limit exceeded" } }, "429 1002: rate limit exceeded"],
      [500, { error: { error_message: "Task creation error" } }, "500 http_500: Task creation error"],
      [502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "502 http_502: 502 Bad Gateway"],
    ];
    for (const [status, answer, message] of cases) {
      const gw = fakeGateway({ fault: () => ({ kind: "answer", status, body: answer }) });
      const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 0 });
      const error = (await settle(client.getTask("task_1")).catch((e: unknown) => e)) as KirinApiError;
      expect(error).toBeInstanceOf(KirinApiError);
      expect(error.message).toBe(`${message} (request req_1)`);
    }
  });

  it("keeps a connection failure's cause and code in its message", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "drop-before" }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 0 });
    const error = (await settle(client.getTask("task_1")).catch((e: unknown) => e)) as KirinConnectionError;
    expect(error.message).toBe("Connection failed: fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443)");
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.category).toBe("retry-later");
    expect(((error.cause as Error).cause as Error & { code: string }).code).toBe("ECONNREFUSED");
  });

  it("says a request never left only for failures before any byte was sent", async () => {
    const failWith = (code: string) => async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error(`failed: ${code}`), { code }) });
    };
    const reached = async (code: string) => {
      const client = createKirinClient({ apiKey: KEY, fetch: failWith(code), retries: 0 });
      const error = (await client.getTask("task_1").catch((e: unknown) => e)) as KirinConnectionError;
      expect(error).toBeInstanceOf(KirinConnectionError);
      expect(error.code).toBe(code);
      return error.mayHaveReachedServer;
    };
    const neverSent = [
      "ECONNREFUSED",
      "ENOTFOUND",
      "EAI_AGAIN",
      "EAI_NONAME",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "ENETDOWN",
      "EHOSTDOWN",
      "UND_ERR_CONNECT_TIMEOUT",
      "CERT_HAS_EXPIRED",
      "CERT_NOT_YET_VALID",
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "HOSTNAME_MISMATCH",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "ERR_SSL_WRONG_VERSION_NUMBER",
    ];
    // Failures that can come after the request went out, and near misses of the names above.
    const maybeSent = [
      "ECONNRESET",
      "EPIPE",
      "ETIMEDOUT",
      "UND_ERR_SOCKET",
      "UND_ERR_HEADERS_TIMEOUT",
      "UND_ERR_BODY_TIMEOUT",
      "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
      "XECONNREFUSED",
      "ECONNREFUSEDX",
      "EAI_",
    ];
    for (const code of neverSent) expect(await reached(code), code).toBe(false);
    for (const code of maybeSent) expect(await reached(code), code).toBe(true);
  });

  it("does not retry 401", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 401 }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    await expect(settle(client.getTask("x"))).rejects.toBeInstanceOf(KirinAuthenticationError);
    expect(gw.log).toHaveLength(1);
  });

  it("names its requests as asked: operation and first attempt (as waitForTask asks for polls)", async () => {
    const gw = fakeGateway({
      fault: (_req, n) => (n === 1 ? { kind: "status", status: 503, headers: { "retry-after": "1" } } : undefined),
    });
    const seen: string[] = [];
    const retries: string[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      fetch: gw.fetch,
      hooks: { onRequest: (e) => void seen.push(`${e.operation} #${e.attempt}`) },
    });
    const id = gw.seed();
    await settle(client.getTask(id, { operation: "poll", attempt: 3, onRetry: (e) => void retries.push(`${e.operation} #${e.attempt}`) }));
    expect(seen).toEqual(["poll #3", "poll #4"]);
    expect(retries).toEqual(["poll #4"]);
    seen.length = 0;
    await settle(client.getTask(id));
    expect(seen).toEqual(["get #1"]);
  });

  it("makes 1 + retries requests whatever attempt it starts at", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 500 }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    await expect(settle(client.getTask("x", { attempt: 5, retries: 1 }))).rejects.toBeInstanceOf(KirinApiError);
    expect(gw.log).toHaveLength(2);
  });

  it("does not retry 409 (a conflict is there to stay)", async () => {
    const gw = fakeGateway({ fault: () => ({ kind: "status", status: 409 }) });
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch, retries: 5 });
    const error = await settle(client.getTask("x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinConflictError);
    expect((error as KirinConflictError).category).toBe("fix-request");
    expect(gw.log).toHaveLength(1);
  });

  it("times out a hanging request and reports a connection error", async () => {
    const hang = (req: Request) =>
      new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));
    const client = createKirinClient({ apiKey: KEY, fetch: hang, retries: 0, timeoutMs: 1000 });
    const error = await settle(client.getTask("x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect((error as KirinConnectionError).timedOut).toBe(true);
  });

  it("aborts with the caller's reason", async () => {
    const hang = (req: Request) =>
      new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason)));
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

describe("kirin-api/client's createKirinClient: validation only when handed a validator", () => {
  const broken = { ...body, prompt: "" } as KirinRequest; // breaks a schema rule (prompt length)

  it("sends a body kirin-api's client refuses, since it has no validator of its own", async () => {
    const gw = fakeGateway();
    await expect(settle(createKirinClient({ apiKey: KEY, fetch: gw.fetch }).createTask(broken))).rejects.toBeInstanceOf(
      KirinValidationError,
    );
    expect(gw.log).toEqual([]); // nothing sent (the gateway would refuse it too, so billed() could not tell)
    // The light client sends it: the gateway is the one to answer (here with a 400).
    const posts: Request[] = [];
    const light = createLightClient({ apiKey: KEY, fetch: (r) => (posts.push(r), gw.fetch(r)) });
    await expect(settle(light.createTask(broken))).rejects.toBeInstanceOf(KirinBadRequestError);
    expect(posts.map((r) => r.method)).toEqual(["POST"]);
  });

  it("checks with the validator it is given, and sends nothing when it refuses", async () => {
    const gw = fakeGateway();
    const seen: unknown[] = [];
    const validate = (b: unknown) => (
      seen.push(b), { valid: false, issues: [{ path: "/prompt", rule: "mine", message: "no", severity: "error" as const }] }
    );
    const light = createLightClient({ apiKey: KEY, fetch: gw.fetch, validate });
    await expect(settle(light.createTask(body))).rejects.toMatchObject({ name: "KirinValidationError", issues: [{ rule: "mine" }] });
    expect(seen).toEqual([body]);
    expect(gw.log).toEqual([]);
  });

  it("refuses validate: true, naming what to pass instead", () => {
    expect(() => createLightClient({ apiKey: KEY, validate: true })).toThrow(
      /validate is true; give false or a validator such as validateRequest/,
    );
    expect(() => createKirinClient({ apiKey: KEY, validate: "yes" as unknown as boolean })).toThrow(/validate is yes/);
  });

  it("has no raw; kirin-api's client has", () => {
    expect("raw" in createLightClient({ apiKey: KEY })).toBe(false);
    expect(typeof createKirinClient({ apiKey: KEY }).raw.GET).toBe("function");
  });
});

describe("raw", () => {
  it("is the authenticated openapi-fetch client", async () => {
    const gw = fakeGateway();
    const client = createKirinClient({ apiKey: KEY, fetch: gw.fetch });
    const { error, response } = await client.raw.GET("/model/v1/generation/task/{id}", { params: { path: { id: "nope" } } });
    expect(response.status).toBe(404);
    // An error body may come in any of the gateway's envelopes; this one is the mock's own.
    expect((error as { error: { code: string } } | undefined)?.error.code).toBe("not_found");
  });
});

describe("raw.use middleware", () => {
  it("applies to raw's calls; the client's own requests go through its fetch, which sees them as Requests", async () => {
    const gw = fakeGateway();
    const seen: Request[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      fetch: (request) => {
        expect(request).toBeInstanceOf(Request);
        seen.push(request);
        return gw.fetch(request);
      },
    });
    client.raw.use({
      onRequest({ request }) {
        request.headers.set("x-trace", "t-1");
        return request;
      },
    });
    const created = await settle(client.createTask(body));
    await settle(client.getTask(created.id));
    await client.raw.GET("/model/v1/generation/task/{id}", { params: { path: { id: created.id } } });
    expect(seen.map((r) => `${r.method} ${r.headers.get("x-trace")}`)).toEqual(["POST null", "GET null", "GET t-1"]);
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");
    expect(seen.every((r) => r.headers.get("authorization") === `Bearer ${KEY}`)).toBe(true);
  });
});

describe("hooks and logger", () => {
  it("see every request and answer with operation, attempt, status and request id; a throwing hook breaks nothing", async () => {
    const gw = fakeGateway({
      fault: (_req, n) => (n === 1 ? { kind: "status", status: 503, headers: { "retry-after": "1" } } : undefined),
    });
    const seen: string[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      fetch: gw.fetch,
      hooks: {
        onRequest: (e) => void seen.push(`> ${e.operation} #${e.attempt} ${e.method} ${new URL(e.url).pathname}`),
        onResponse: (e) => {
          seen.push(`< ${e.operation} #${e.attempt} ${e.status} ${e.requestId} ${e.error?.name ?? "ok"}`);
          throw new Error("a broken observer");
        },
      },
    });
    const task = await settle(client.createTask(body));
    expect(task.id).toBe("task_1");
    expect(seen).toEqual([
      "> create #1 POST /model/v1/generation",
      "< create #1 503 req_1 KirinInternalServerError",
      "> create #2 POST /model/v1/generation",
      "< create #2 200 req_2 ok",
    ]);
  });

  it("logs retries at warn, every request at debug, and nothing below its level", async () => {
    const lines: [string, string][] = [];
    const logger = {
      error: (m: string) => void lines.push(["error", m]),
      warn: (m: string) => void lines.push(["warn", m]),
      info: (m: string) => void lines.push(["info", m]),
      debug: (m: string) => void lines.push(["debug", m]),
    };
    const faults = (_req: Request, n: number): Fault | undefined =>
      n === 1 ? { kind: "status", status: 429, headers: { "retry-after": "1" } } : undefined;
    await settle(createKirinClient({ apiKey: KEY, fetch: fakeGateway({ fault: faults }).fetch, logger }).createTask(body));
    expect(lines).toEqual([["warn", "kirin create retry #2 in 1000 ms after 429"]]);
    lines.length = 0;
    await settle(
      createKirinClient({ apiKey: KEY, fetch: fakeGateway({ fault: faults }).fetch, logger, logLevel: "debug" }).createTask(body),
    );
    expect(lines.map(([level]) => level)).toEqual(["debug", "debug", "warn", "debug", "debug"]);
    lines.length = 0;
    const refused = fakeGateway({ fault: () => ({ kind: "status", status: 400 }) });
    await settle(createKirinClient({ apiKey: KEY, fetch: refused.fetch, logger, logLevel: "error" }).createTask(body)).catch(
      () => undefined,
    );
    expect(lines).toEqual([
      ["error", expect.stringMatching(/^kirin create #1 400 in \d+ ms \(request req_1\): 400 injected: injected 400/)],
    ]);
  });
});
