// The stateful mock of the Kirin API: the contract's two operations with a real task lifecycle,
// the same request rules as the client (validateWireRequest), and the reference docs.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { validateWireRequest } from "../src/validate.js";
import type { ErrorResponse, ValidationIssue } from "../src/types.js";
import { CallbackSender } from "./callbacks.js";
import { createRateLimiter } from "./rate-limit.js";
import { projectRoot } from "./root.js";
import { SCENARIO_HEADER, SHAPES_HEADER, UnknownScenarioError, scenarioOf, shapesOf } from "./scenarios.js";
import { type MockTask, type Shapes, type TaskPlan, TaskStore, statusChanges, taskView } from "./tasks.js";

export interface MockOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Creates per second per API key before the mock answers as its `rate-limit` scenario does; 0: no limit. */
  rateLimit: number;
  /** Run time of a task from creation to `completed`, in seconds. */
  taskSeconds: number;
  /** Finished tasks beyond this count are forgotten, oldest first. */
  maxTasks: number;
  maxBodyBytes: number;
  /** How answers are worded unless a request asks otherwise (`X-Kirin-Mock-Shapes`). */
  shapes: Shapes;
  log: (line: string) => void;
}

export const DEFAULTS: MockOptions = {
  host: "127.0.0.1",
  port: 4010,
  rateLimit: 0,
  taskSeconds: 6,
  maxTasks: 10_000,
  maxBodyBytes: 32 * 1024 * 1024,
  shapes: "wire",
  log: (line) => console.log(line),
};

export interface MockServer {
  url: string;
  store: TaskStore;
  /** Creates answered with a task: `made` a new one, or `repeated` one made before (same external_task_id and body). */
  creates: { made: number; repeated: number };
  close(): Promise<void>;
}

const file = (path: string) => join(projectRoot(), path);
const CREATE = "/model/v1/generation";
const SCENARIO_KEY = SCENARIO_HEADER.toLowerCase(); // Node lower-cases incoming header names
const SHAPES_KEY = SHAPES_HEADER.toLowerCase();
const POLL = /^\/model\/v1\/generation\/task\/([^/]+)$/;
// Price per second of video, in USD, by mode: made up, but shaped like the real thing.
const PRICE = { std: 0.07, pro: 0.112 } as const;

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": `authorization, content-type, ${SCENARIO_HEADER}, ${SHAPES_HEADER}`,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "retry-after, x-request-id",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly issues?: ValidationIssue[],
    /** A body in one of the gateway's own envelopes, sent as it is (the envelope scenarios). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export async function startMockServer(overrides: Partial<MockOptions> = {}): Promise<MockServer> {
  const options = { ...DEFAULTS, ...overrides };
  const store = new TaskStore(options.maxTasks);
  const callbacks = new CallbackSender({ timeoutMs: 5_000, retries: 3, backoffMs: 1_000, log: options.log });
  let selfUrl = "";
  const creates = { made: 0, repeated: 0 };
  const rateLimiter = options.rateLimit > 0 ? createRateLimiter(options.rateLimit) : undefined;

  const server = createServer((req, res) => {
    const requestId = `req_${randomBytes(6).toString("hex")}`;
    res.setHeader("x-request-id", requestId);
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    route(req, res).catch((error: unknown) => {
      const e =
        error instanceof HttpError
          ? error
          : new HttpError(500, "internal_error", "The mock failed while handling the request.");
      if (!(error instanceof HttpError)) options.log(`internal error: ${(error as Error)?.stack ?? error}`);
      const body: ErrorResponse = { error: { code: e.code, message: e.message, request_id: requestId } };
      if (e.issues) body.error.issues = e.issues;
      if (!res.headersSent) sendJson(res, e.status, e.body ?? body, e.headers);
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    if (method === "OPTIONS") return void res.writeHead(204).end();
    if (path === CREATE) {
      allow(method, ["POST"]);
      return create(req, res);
    }
    const poll = POLL.exec(path);
    if (poll) {
      allow(method, ["GET"]);
      return get(req, res, decodeURIComponent(poll[1]!));
    }
    const page = PAGES[path];
    if (page) {
      allow(method, ["GET", "HEAD"]);
      return page(req, res);
    }
    throw new HttpError(404, "not_found", `Nothing is served at ${path}. The API is under ${CREATE}; the docs at /docs.`);
  }

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const owner = authorize(req);
    httpScenario(req.headers[SCENARIO_KEY] as string | undefined);
    if (rateLimiter && !rateLimiter.take(owner)) httpScenario("rate-limit");
    const type = String(req.headers["content-type"] ?? "");
    if (!/^application\/json\b/i.test(type)) {
      req.resume();
      throw new HttpError(415, "unsupported_media_type", `Send the body as application/json, not ${type || "without a content type"}.`);
    }
    const raw = await readBody(req, options.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      throw badRequest([{ path: "", rule: "json", message: `The body is not valid JSON: ${(error as Error).message}`, severity: "error" }]);
    }
    const verdict = validateWireRequest(body);
    if (!verdict.valid) throw badRequest(verdict.issues);
    const shapes = requestShapes(req);
    const { model, input } = body as { model: string; input: [{ params: Record<string, unknown> }] };
    const params = input[0].params;
    let scenario: string | undefined;
    try {
      scenario = scenarioOf(req.headers[SCENARIO_KEY] as string | undefined, params);
    } catch (error) {
      throw badRequest([{ path: "", rule: "mock-scenario", message: (error as Error).message, severity: "error" }]);
    }
    httpScenario(scenario);
    if (scenario === "create-rejected") {
      // Answered 200, but no task was made: the error says why, and there is no id to follow.
      return sendJson(res, 200, { error: { code: 6001099, error_message: "Task creation error" } });
    }

    const bodyHash = createHash("sha256").update(canonicalJson({ model, params })).digest("hex");
    const externalTaskId = params.external_task_id as string | undefined;
    const now = Date.now();
    if (externalTaskId !== undefined) {
      const existing = store.findByExternalId(owner, externalTaskId);
      if (existing && existing.bodyHash === bodyHash) {
        creates.repeated++;
        return sendTask(req, res, existing, now, shapes);
      }
      if (existing) {
        throw new HttpError(409, "conflict", `external_task_id '${externalTaskId}' already names a task created from a different request body.`);
      }
    }
    const videoSeconds = Number(params.duration ?? "5");
    const mode = (params.mode ?? (model === "kirin_v3_i2v" ? "std" : "pro")) as keyof typeof PRICE;
    const task = store.add(
      {
        owner,
        model,
        createdAt: now,
        bodyHash,
        plan: planFor(scenario, options.taskSeconds),
        videoSeconds,
        cost: (PRICE[mode] * videoSeconds).toFixed(4),
        shapes,
        ...(externalTaskId !== undefined && { externalTaskId }),
        ...(typeof params.callback_url === "string" && { callbackUrl: params.callback_url }),
      },
      now,
    );
    creates.made++;
    if (task.callbackUrl) {
      const created = task.createdAt;
      callbacks.schedule(task.callbackUrl, statusChanges(task).map((at) => created + at - Date.now()), () =>
        taskView(task, Date.now(), selfUrl, task.shapes),
      );
    }
    sendTask(req, res, task, now, shapes);
  }

  async function get(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const owner = authorize(req);
    httpScenario(req.headers[SCENARIO_KEY] as string | undefined);
    const task = store.find(owner, id);
    if (!task) throw new HttpError(404, "not_found", `No task has the id or external_task_id '${id}'.`);
    sendTask(req, res, task, Date.now(), requestShapes(req));
  }

  function sendTask(req: IncomingMessage, res: ServerResponse, task: MockTask, now: number, shapes: Shapes): void {
    const base = req.headers.host ? `http://${req.headers.host}` : selfUrl;
    sendJson(res, 200, taskView(task, now, base, shapes));
  }

  /** The shapes a request asks for, or the mock's default. */
  function requestShapes(req: IncomingMessage): Shapes {
    try {
      return shapesOf(req.headers[SHAPES_KEY] as string | undefined) ?? options.shapes;
    } catch (error) {
      throw badRequest([{ path: "", rule: "mock-shapes", message: (error as Error).message, severity: "error" }]);
    }
  }

  const PAGES: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    "/": (_req, res) => void res.writeHead(302, { location: "/docs" }).end(),
    // Redoc always renders its "API docs by Redocly" logo from cdn.redoc.ly (no option turns it
    // off); this keeps the page from reaching the internet, and Redoc hides the image on error.
    "/docs": (_req, res) => sendFile(res, "docs/reference.html", "text/html; charset=utf-8", { "content-security-policy": "img-src 'self' data: blob:" }),
    "/playground": (_req, res) => sendFile(res, "docs/playground/index.html", "text/html; charset=utf-8"),
    "/playground/playground.js": (_req, res) => sendFile(res, "docs/playground/playground.js", "text/javascript; charset=utf-8"),
    "/openapi.json": (_req, res) => sendFile(res, "generated/openapi.json", "application/json"),
    "/media/sample.mp4": (req, res) => sendVideo(req, res),
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  selfUrl = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  return {
    url: selfUrl,
    store,
    creates,
    close: () =>
      new Promise<void>((resolve) => {
        callbacks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorize(req: IncomingMessage): string {
  const match = /^Bearer\s+(\S.*)$/i.exec(String(req.headers.authorization ?? ""));
  if (!match) {
    throw new HttpError(401, "unauthorized", "Send the API key as `Authorization: Bearer YOUR_API_KEY` (the mock accepts any non-empty key).");
  }
  return match[1]!.trim();
}

function allow(method: string, allowed: string[]): void {
  if (!allowed.includes(method)) {
    throw new HttpError(405, "method_not_allowed", `${method} is not allowed here; use ${allowed.join(" or ")}.`, {
      allow: allowed.join(", "),
    });
  }
}

/** The scenarios that answer with an HTTP error instead of a task. */
function httpScenario(name: string | undefined): void {
  if (name === "rate-limit") throw new HttpError(429, "rate_limited", "Too many requests; retry after 1 second.", { "retry-after": "1" });
  if (name === "server-error") throw new HttpError(500, "internal_error", "The server failed while handling the request.");
  if (name === "unavailable") throw new HttpError(503, "service_unavailable", "The service is briefly unavailable; retry later.", { "retry-after": "1" });
  const envelope = name ? GATEWAY_ENVELOPES[name] : undefined;
  if (envelope) throw new HttpError(envelope.status, "", "", envelope.headers ?? {}, undefined, envelope.body);
}

/** The error answers of the real gateway, one envelope each (the contract's ErrorBody). */
const GATEWAY_ENVELOPES: Record<string, { status: number; body: unknown; headers?: Record<string, string> }> = {
  "insufficient-credits": { status: 402, body: { status: { code: 402, message: "Insufficient credits", error_code: 40201 }, data: null } },
  "unauthorized-string": { status: 401, body: { error: "Missing Token" } },
  "bad-request-message": { status: 400, body: { message: "bad request" } },
  "not-found-wrapper": { status: 404, body: { status: { code: 404, message: "missing" }, data: null } },
  "rate-limit-code": { status: 429, body: { error: { code: 1002, message: "rate limit exceeded" } }, headers: { "retry-after": "1" } },
  "server-error-message": { status: 500, body: { error: { error_message: "Task creation error" } } },
};

function planFor(scenario: string | undefined, taskSeconds: number): TaskPlan {
  const runMs = taskSeconds * 1000 * (scenario === "slow" ? 10 : 1);
  const plan: TaskPlan = { runMs, startsAt: 0.15, outcome: { status: "completed" } };
  if (scenario === "fail-006001094") plan.outcome = { status: "failed", code: "006001094", message: "Task resource insufficient", at: 0.1 };
  if (scenario === "fail-006001095") {
    plan.outcome = { status: "failed", code: "006001095", message: "Task response error", at: 0.15 + 0.85 * 0.6 };
  }
  if (scenario === "fail-006001099") plan.outcome = { status: "failed", code: "006001099", message: "Task creation error", at: 0.05 };
  // Refused by moderation on the spot: the create's own answer is already `failed`.
  if (scenario === "create-failed") plan.outcome = { status: "failed", code: "110001", message: "input image may contain sensitive information", at: 0 };
  return plan;
}

function badRequest(issues: ValidationIssue[]): HttpError {
  const errors = issues.filter((i) => i.severity === "error").length;
  return new HttpError(400, "invalid_request", `The request breaks ${errors} rule${errors === 1 ? "" : "s"}.`, {}, issues);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    const tooLarge = () => new HttpError(413, "payload_too_large", `The request body is larger than ${limit / 1024 / 1024} MB.`, { connection: "close" });
    if (declared > limit) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** JSON with sorted keys, so that the same body always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers }).end(text);
}

function sendFile(res: ServerResponse, path: string, type: string, headers: Record<string, string> = {}): void {
  if (!existsSync(file(path))) {
    throw new HttpError(404, "not_found", `${path} is not built yet: run \`npm run docs\`.`);
  }
  const data = readFileSync(file(path));
  res.writeHead(200, { "content-type": type, "content-length": data.length, ...headers }).end(data);
}

let video: Buffer | undefined;
/** The sample video, with byte ranges so browsers can seek. */
function sendVideo(req: IncomingMessage, res: ServerResponse): void {
  video ??= readFileSync(file("mock/sample.mp4"));
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ""));
  const base = { "content-type": "video/mp4", "accept-ranges": "bytes", "cache-control": "public, max-age=3600" };
  if (!range) return void res.writeHead(200, { ...base, "content-length": video.length }).end(video);
  const start = range[1] ? Number(range[1]) : Math.max(0, video.length - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(Number(range[2]), video.length - 1) : video.length - 1;
  if (start > end || start >= video.length) {
    return void res.writeHead(416, { ...base, "content-range": `bytes */${video.length}` }).end();
  }
  res.writeHead(206, { ...base, "content-range": `bytes ${start}-${end}/${video.length}`, "content-length": end - start + 1 });
  res.end(video.subarray(start, end + 1));
}

