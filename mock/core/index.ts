// The mock of the Kirin API as one Fetch handler: `(Request) => Promise<Response>`. It holds the
// whole task lifecycle, every scenario, callbacks, the sample media and the admin surface, with one
// route table and one error mapper, and no `node:` import: the Node server (`npm start`,
// `kirin-api/mock`), the MSW handlers (`kirin-api/msw`) and the tests' fake gateway are thin layers
// around it. Time, the task store, randomness and the callbacks' `fetch` are injected.

import { canonicalJson } from "../../src/json.js";
import { MAX_BODY_BYTES } from "../../src/rules/body-size.js";
import { validateWireRequest } from "../../src/validate.js";
import { CALLBACK_DEFAULTS, type CallbackOptions, type CallbackPolicy, type CallbackPost, CallbackSender, fetchPost } from "./callbacks.js";
import { type MockClock, systemClock } from "./clock.js";
import {
  BodyTooLargeError,
  badRequest,
  errorAnswer,
  json,
  type MockAnswer,
  MockHttpError,
  requestIssue,
  tooLarge,
  toResponse,
} from "./errors.js";
import { rangeAnswer, sampleVideo } from "./media.js";
import { createRateLimiter } from "./rate-limit.js";
import { HTTP_SCENARIOS, SCENARIO_HEADER, type ScenarioAsk, SHAPES_HEADER, scenarioOf, shapesOf } from "./scenarios.js";
import {
  type AspectRatio,
  ageOf,
  type MockTask,
  type MockTaskStore,
  phaseAt,
  type Shapes,
  statusChanges,
  type TaskPlan,
  TaskStore,
  taskView,
} from "./tasks.js";

export interface MockCoreOptions {
  /** Run time of a task from creation to `completed`, in seconds (of the clock's time). */
  taskSeconds: number;
  /** Finished tasks beyond this count are forgotten, oldest first (for the default store). */
  maxTasks: number;
  /** How answers are worded unless a request asks otherwise (`X-Kirin-Mock-Shapes`). */
  shapes: Shapes;
  /** How long a task waits in the queue (progress 0) before it runs, in seconds; 15% of its run time if unset. */
  queueSeconds?: number;
  /** When set, a bearer token other than this one is answered 401; otherwise any non-empty key works. */
  apiKey?: string;
  /** The mock's time; `systemClock(speed)` by default (speed 1). */
  clock: MockClock;
  store?: MockTaskStore;
  /** In [0, 1); decides `rate-limit-share`. */
  random: () => number;
  /** Makes task and request ids. */
  newId: (prefix: "task" | "req") => string;
  /** Sends callbacks, unless `callbackPost` is given. */
  fetch: typeof globalThis.fetch;
  /** How a callback is POSTed; by default with `fetch`. The Node server connects through a DNS guard. */
  callbackPost?: CallbackPost;
  /** Callback URLs refused at create time and at delivery (the Node server: link-local and metadata addresses). */
  callbackPolicy?: CallbackPolicy;
  log: (line: string) => void;
  callbacks: CallbackOptions;
  /** A path the API lives under (`/api`): stripped before routing, kept in the URLs the mock writes. */
  basePath: string;
  maxBodyBytes: number;
  /** How long a completed task's video URL stays valid, in ms of the clock's time. */
  urlTtlMs: number;
  /** Requests kept for the admin surface. */
  maxLoggedRequests: number;
  /** Creates per second per API key before the mock answers as its `rate-limit` scenario does; 0: no limit. */
  rateLimit: number;
}

export const CORE_DEFAULTS: Omit<MockCoreOptions, "clock"> = {
  taskSeconds: 6,
  maxTasks: 10_000,
  shapes: "wire",
  random: Math.random,
  newId: (prefix) => `${prefix}_${randomHex(prefix === "task" ? 12 : 6)}`,
  fetch: (input, init) => globalThis.fetch(input, init),
  log: (line) => console.log(line),
  callbacks: CALLBACK_DEFAULTS,
  basePath: "",
  // The contract's `x-kirin-max-body-bytes`, as the client's validateRequest reports it.
  maxBodyBytes: MAX_BODY_BYTES,
  urlTtlMs: 60 * 60 * 1000,
  maxLoggedRequests: 1_000,
  rateLimit: 0,
};

/** One request the mock received, as the admin surface lists it. */
export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  scenario?: string;
}

export interface MockCore {
  fetch(request: Request): Promise<Response>;
  /** The same answer before it is a Response, for adapters that write it to a socket themselves. */
  answer(request: Request): Promise<MockAnswer>;
  readonly store: MockTaskStore;
  readonly clock: MockClock;
  /** The API requests received, oldest first (at most `maxLoggedRequests`). */
  readonly requests: readonly ReceivedRequest[];
  /** Creates answered with a task: `made` a new one, or `repeated` one made before (same external_task_id and body). */
  readonly creates: { made: number; repeated: number };
  /** Moves a task `ms` forward in its life, or to its end; callbacks it passes are sent. */
  advance(id: string, ms: number | "end"): MockTask | undefined;
  /** Forgets every task, request and `-once` count. */
  reset(): void;
  /** Stops callback deliveries. */
  close(): void;
}

export {
  CALLBACK_DEFAULTS,
  type CallbackFailure,
  type CallbackOptions,
  type CallbackPolicy,
  type CallbackPost,
  safeUrl,
} from "./callbacks.js";
export type { MockClock } from "./clock.js";
export { type ManualClock, manualClock, systemClock } from "./clock.js";
export type { MockAnswer } from "./errors.js";
export { SCENARIO_HEADER, SCENARIO_NAMES, SCENARIOS, type Scenario, SHAPES_HEADER } from "./scenarios.js";
export { type MockTask, type MockTaskStore, type Shapes, TaskStore } from "./tasks.js";

export const API_PATH = "/model/v1/generation";
export const ADMIN_PATH = "/__mock/tasks";
// Price per second of video, in USD, by mode: made up, but shaped like the real thing.
const PRICE = { std: 0.07, pro: 0.112 } as const;
const RATIOS = new Set<AspectRatio>(["16:9", "9:16", "1:1"]);
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": `authorization, content-type, ${SCENARIO_HEADER}, ${SHAPES_HEADER}`,
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-expose-headers": "retry-after, x-request-id",
};

interface Context {
  request: Request;
  url: URL;
  /** The path under basePath, percent-decoding left to each route. */
  path: string;
  /** The origin and base path the mock's own URLs start with. */
  base: string;
  params: string[];
  /** Set by the API routes, for the request log. */
  scenario?: string;
}

interface Route {
  methods: string[];
  pattern: RegExp;
  run(ctx: Context): Promise<MockAnswer> | MockAnswer;
}

export function createMockCore(overrides: Partial<MockCoreOptions> = {}): MockCore {
  const options: MockCoreOptions = { ...CORE_DEFAULTS, clock: overrides.clock ?? systemClock(), ...overrides };
  const { clock } = options;
  const store = options.store ?? new TaskStore(options.maxTasks);
  const callbacks = new CallbackSender(
    options.callbacks,
    clock,
    options.callbackPost ?? fetchPost(options.fetch),
    options.callbackPolicy ?? (() => undefined),
    options.log,
  );
  const requests: ReceivedRequest[] = [];
  /** How many requests each `NAME:N` ask has failed so far, by key, operation and ask. */
  const failures = new Map<string, number>();
  const creates = { made: 0, repeated: 0 };
  const rateLimiter = options.rateLimit > 0 ? createRateLimiter(options.rateLimit) : undefined;

  // The one route table: the API, the media it points at, and the admin surface.
  const routes: Route[] = [
    { methods: ["POST"], pattern: /^\/model\/v1\/generation$/, run: create },
    { methods: ["GET"], pattern: /^\/model\/v1\/generation\/task\/([^/]+)$/, run: get },
    { methods: ["GET", "HEAD"], pattern: /^\/media\/sample-(16x9|9x16|1x1)\.mp4$/, run: media },
    { methods: ["GET"], pattern: /^\/__mock\/tasks$/, run: adminList },
    { methods: ["DELETE"], pattern: /^\/__mock\/tasks$/, run: () => (reset(), { status: 204, headers: {}, body: null }) },
    { methods: ["GET"], pattern: /^\/__mock\/tasks\/([^/]+)$/, run: adminTask },
    { methods: ["POST"], pattern: /^\/__mock\/tasks\/([^/]+)\/advance$/, run: adminAdvance },
  ];

  async function handle(request: Request): Promise<MockAnswer> {
    const requestId = options.newId("req");
    let response: MockAnswer;
    let ctx: Context | undefined;
    try {
      ctx = parseInput(request);
      response = request.method === "OPTIONS" ? { status: 204, headers: {}, body: null } : await route(ctx);
    } catch (error) {
      response = errorAnswer(error, requestId, options.log);
    }
    Object.assign(response.headers, CORS, { "x-request-id": requestId });
    if (ctx && !ctx.path.startsWith("/__mock/") && request.method !== "OPTIONS") {
      requests.push({
        at: clock.now(),
        method: request.method,
        path: ctx.path,
        status: response.status,
        ...(ctx.scenario && { scenario: ctx.scenario }),
      });
      if (requests.length > options.maxLoggedRequests) requests.splice(0, requests.length - options.maxLoggedRequests);
    }
    return response;
  }

  /** The input-parsing step: what every route may rely on about the request line. */
  function parseInput(request: Request): Context {
    const url = new URL(request.url);
    const { basePath } = options;
    if (basePath && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
      throw new MockHttpError(404, "not_found", `Nothing is served at ${url.pathname}. The API is under ${basePath}${API_PATH}.`);
    }
    const path = url.pathname.slice(basePath.length) || "/";
    return { request, url, path, base: `${url.origin}${basePath}`, params: [] };
  }

  async function route(ctx: Context): Promise<MockAnswer> {
    const matched = routes.filter((r) => r.pattern.test(ctx.path));
    const found = matched.find((r) => r.methods.includes(ctx.request.method));
    if (found) {
      ctx.params = found.pattern.exec(ctx.path)!.slice(1).map(decodeSegment);
      return found.run(ctx);
    }
    if (matched.length > 0) {
      const allowed = matched.flatMap((r) => r.methods);
      throw new MockHttpError(405, "method_not_allowed", `${ctx.request.method} is not allowed here; use ${allowed.join(" or ")}.`, {
        allow: allowed.join(", "),
      });
    }
    throw new MockHttpError(
      404,
      "not_found",
      `Nothing is served at ${ctx.path}. The API is under ${API_PATH}; the mock's state at ${ADMIN_PATH}.`,
    );
  }

  async function create(ctx: Context): Promise<MockAnswer> {
    const { request } = ctx;
    const owner = authorize(request);
    const headerAsk = askOf(ctx, request.headers.get(SCENARIO_HEADER));
    httpScenario(owner, "create", headerAsk);
    if (rateLimiter && !rateLimiter.take(owner, clock.now())) throwScenario("rate-limit");
    const body = await readJson(request);
    const verdict = validateWireRequest(body);
    if (!verdict.valid) throw badRequest(verdict.issues);
    const shapes = requestShapes(request);
    const { model, input } = body as { model: string; input: [{ params: Record<string, unknown> }] };
    const params = input[0].params;
    const callbackUrl = typeof params.callback_url === "string" ? params.callback_url : undefined;
    const refusal = callbackUrl === undefined ? undefined : callbacks.refusal(callbackUrl);
    if (refusal)
      throw badRequest([{ path: "/input/0/params/callback_url", rule: "mock-callback-address", message: refusal, severity: "error" }]);
    const ask = headerAsk ?? askOf(ctx, null, params);
    if (!headerAsk) httpScenario(owner, "create", ask);
    if (ask?.task.has("create-rejected")) {
      // Answered 200, but no task was made: the error says why, and there is no id to follow.
      return json(200, { error: { code: 6001099, error_message: "Task creation error" } });
    }

    const bodyHash = hashText(canonicalJson({ model, params }));
    const externalTaskId = params.external_task_id as string | undefined;
    const now = clock.now();
    if (externalTaskId !== undefined) {
      const existing = store.findByExternalId(owner, externalTaskId);
      if (existing && existing.bodyHash === bodyHash) {
        creates.repeated++;
        return json(200, taskView(existing, now, ctx.base, shapes));
      }
      if (existing) {
        throw new MockHttpError(
          409,
          "conflict",
          `external_task_id '${externalTaskId}' already names a task created from a different request body.`,
        );
      }
    }
    const plan = planFor(ask, options);
    if (callbackUrl !== undefined && !callbacks.hasRoom(plan.callbacks === "twice" ? 4 : 2)) {
      throw new MockHttpError(
        503,
        "service_unavailable",
        `The mock has ${options.callbacks.maxPending} callback deliveries outstanding; retry later, or create without a callback_url.`,
        { "retry-after": "5" },
      );
    }
    const videoSeconds = Number(params.duration ?? "5");
    const mode = (params.mode ?? (model === "kirin_v3_i2v" ? "std" : "pro")) as keyof typeof PRICE;
    const ratio = params.aspect_ratio as AspectRatio;
    const task = store.add(
      {
        id: options.newId("task"),
        owner,
        model,
        createdAt: now,
        skewMs: 0,
        bodyHash,
        plan,
        videoSeconds,
        cost: (PRICE[mode] * videoSeconds).toFixed(4),
        shapes,
        aspectRatio: RATIOS.has(ratio) ? ratio : "16:9",
        ...(ask && { scenario: ask.text }),
        ...(externalTaskId !== undefined && { externalTaskId }),
        ...(callbackUrl !== undefined && { callbackUrl, base: ctx.base }),
      },
      now,
    );
    creates.made++;
    if (task.callbackUrl) scheduleCallbacks(task, -1);
    return json(200, taskView(task, now, ctx.base, shapes));
  }

  async function get(ctx: Context): Promise<MockAnswer> {
    const owner = authorize(ctx.request);
    httpScenario(owner, "get", askOf(ctx, ctx.request.headers.get(SCENARIO_HEADER)));
    const id = ctx.params[0]!;
    const task = store.find(owner, id);
    if (!task) throw new MockHttpError(404, "not_found", `No task has the id or external_task_id '${id}'.`);
    return json(200, taskView(task, clock.now(), ctx.base, requestShapes(ctx.request)));
  }

  function media(ctx: Context): MockAnswer {
    const expires = Number(ctx.url.searchParams.get("expires") ?? Infinity);
    if (expires < clock.now()) {
      // Like a signed storage URL past its time: 403, and the task must be read again.
      throw new MockHttpError(403, "url_expired", "This video URL has expired; read the task again for a fresh one.");
    }
    const ratio = ctx.params[0]!.replace("x", ":") as AspectRatio;
    return rangeAnswer(
      sampleVideo(ratio),
      ctx.request.headers.get("range"),
      { "content-type": "video/mp4", "cache-control": "private, max-age=300" },
      ctx.request.method === "HEAD",
    );
  }

  function adminView(task: MockTask) {
    const now = clock.now();
    const { status, progress } = phaseAt(task, now);
    return {
      id: task.id,
      model: task.model,
      status,
      progress,
      age_ms: Math.round(ageOf(task, now)),
      run_ms: task.plan.runMs,
      aspect_ratio: task.aspectRatio,
      ...(task.scenario && { scenario: task.scenario }),
      ...(task.externalTaskId !== undefined && { external_task_id: task.externalTaskId }),
      ...(task.callbackUrl && { callback_url: task.callbackUrl }),
    };
  }

  function adminList(): MockAnswer {
    return json(200, { now: clock.now(), tasks: [...store.all()].map(adminView), requests });
  }

  function adminTask(ctx: Context): MockAnswer {
    const task = store.get(ctx.params[0]!);
    if (!task) throw new MockHttpError(404, "not_found", `No task has the id '${ctx.params[0]}'.`);
    return json(200, adminView(task));
  }

  /** `POST /__mock/tasks/ID/advance?seconds=N` moves a task N seconds on; without `seconds`, to its end. */
  function adminAdvance(ctx: Context): MockAnswer {
    const raw = ctx.url.searchParams.get("seconds");
    const seconds = raw === null ? undefined : Number(raw);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0)) {
      throw requestIssue("mock-advance", `seconds must be a number of at least 0, not "${raw}".`);
    }
    const task = advance(ctx.params[0]!, seconds === undefined ? "end" : seconds * 1000);
    if (!task) throw new MockHttpError(404, "not_found", `No task has the id '${ctx.params[0]}'.`);
    return json(200, adminView(task));
  }

  function advance(id: string, ms: number | "end"): MockTask | undefined {
    const task = store.get(id);
    if (!task) return undefined;
    const age = ageOf(task, clock.now());
    const end = Math.max(...statusChanges(task));
    task.skewMs += ms === "end" ? Math.max(0, end - age) : ms;
    if (task.callbackUrl) scheduleCallbacks(task, age);
    return task;
  }

  /**
   * Schedules the callbacks of `task` that fall after `afterAge` (ms of its life), as its scenario
   * says: on time, twice, the final one first, or late. Each carries the task as it was at its change.
   */
  function scheduleCallbacks(task: MockTask, afterAge: number): void {
    callbacks.cancel(task.id);
    const changes = statusChanges(task);
    const mode = task.plan.callbacks;
    const end = changes[changes.length - 1]!;
    const deliveries = changes.flatMap((at) => {
      let sendAt = mode === "late" ? at + task.plan.runMs : at;
      // The final change first, the start after it.
      if (mode === "out-of-order" && at !== end) sendAt = end + 1;
      return Array.from({ length: mode === "twice" ? 2 : 1 }, () => ({ at, sendAt }));
    });
    const birth = task.createdAt - task.skewMs;
    const age = ageOf(task, clock.now());
    callbacks.schedule(
      task.id,
      task.callbackUrl!,
      deliveries
        .filter((d) => d.sendAt > afterAge)
        .map((d) => ({ delayMs: d.sendAt - age, view: () => taskView(task, birth + d.at + 1, task.base ?? "", task.shapes) })),
    );
  }

  function reset(): void {
    for (const task of store.all()) callbacks.cancel(task.id);
    store.clear();
    requests.length = 0;
    failures.clear();
  }

  function authorize(request: Request): string {
    const match = /^Bearer\s+(\S.*)$/i.exec(request.headers.get("authorization") ?? "");
    if (!match) {
      throw new MockHttpError(
        401,
        "unauthorized",
        `Send the API key as \`Authorization: Bearer YOUR_API_KEY\`${options.apiKey ? "" : " (the mock accepts any non-empty key)"}.`,
      );
    }
    const key = match[1]!.trim();
    if (options.apiKey !== undefined && key !== options.apiKey) {
      throw new MockHttpError(401, "unauthorized", "The API key is not the one this mock was started with.");
    }
    return key;
  }

  function askOf(ctx: Context, header: string | null, params?: unknown): ScenarioAsk | undefined {
    try {
      const ask = scenarioOf(header, params);
      if (ask) ctx.scenario = ask.text;
      return ask;
    } catch (error) {
      throw requestIssue("mock-scenario", (error as Error).message);
    }
  }

  /** Answers with the HTTP error an ask names: always, for the first N, or for a share of requests. */
  function httpScenario(owner: string, operation: string, ask: ScenarioAsk | undefined): void {
    if (!ask?.http) return;
    const { name, times, share } = ask.http;
    if (share !== undefined && options.random() >= share) return;
    if (times !== undefined) {
      const key = `${owner}\n${operation}\n${ask.text}`;
      const failed = failures.get(key) ?? 0;
      if (failed >= times) return;
      failures.set(key, failed + 1);
    }
    throwScenario(name);
  }

  function throwScenario(name: string): never {
    const s = HTTP_SCENARIOS[name]!;
    throw new MockHttpError(s.status, s.code ?? "", s.message ?? "", s.headers ?? {}, undefined, s.body);
  }

  /** The shapes a request asks for, or the mock's default. */
  function requestShapes(request: Request): Shapes {
    try {
      return shapesOf(request.headers.get(SHAPES_HEADER)) ?? options.shapes;
    } catch (error) {
      throw requestIssue("mock-shapes", (error as Error).message);
    }
  }

  async function readJson(request: Request): Promise<unknown> {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      await request.body?.cancel();
      throw new MockHttpError(415, "unsupported_media_type", `Send the body as application/json, not ${type || "without a content type"}.`);
    }
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > options.maxBodyBytes) throw tooLarge(options.maxBodyBytes);
    let raw: string;
    try {
      raw = await request.text();
    } catch (error) {
      if (error instanceof BodyTooLargeError || (error as Error)?.cause instanceof BodyTooLargeError) throw tooLarge(options.maxBodyBytes);
      throw error;
    }
    // The limit is in bytes and a UTF-16 unit is 1 to 3 of them in UTF-8: only a text that may be
    // over it is encoded to count them.
    if (raw.length * 3 > options.maxBodyBytes && new TextEncoder().encode(raw).byteLength > options.maxBodyBytes) {
      throw tooLarge(options.maxBodyBytes);
    }
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw requestIssue("json", `The body is not valid JSON: ${(error as Error).message}`);
    }
  }

  return {
    fetch: async (request) => toResponse(await handle(request)),
    answer: handle,
    store,
    clock,
    requests,
    creates,
    advance,
    reset,
    close: () => callbacks.close(),
  };
}

/** A path segment's text. Malformed percent-encoding (`%E0%A4%A`) is the client's mistake: a 400, not a crash. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    const shown = segment.length > 60 ? `${segment.slice(0, 57)}...` : segment;
    throw new MockHttpError(
      400,
      "invalid_request",
      `The task id in the path, "${shown}", is not valid percent-encoding (UTF-8 bytes as %XX).`,
    );
  }
}

function planFor(ask: ScenarioAsk | undefined, options: MockCoreOptions): TaskPlan {
  const has = (name: string) => ask?.task.has(name) ?? false;
  const runMs = options.taskSeconds * 1000 * (has("slow") ? 10 : 1);
  // The gateway folds its provider's queue into `in_progress`: progress sits at 0, then rises.
  const queued = options.queueSeconds === undefined ? 0.15 : Math.min(1, (options.queueSeconds * 1000) / runMs);
  const startsAt = has("queue-long") ? Math.max(0.5, queued) : queued;
  const plan: TaskPlan = { runMs, startsAt, outcome: { status: "completed" }, urlTtlMs: has("url-expires") ? 5_000 : options.urlTtlMs };
  const running = (progress: number) => startsAt + (1 - startsAt) * progress;
  if (has("fail-006001094"))
    plan.outcome = { status: "failed", code: "006001094", message: "Task resource insufficient", at: Math.min(0.1, startsAt) };
  if (has("fail-006001095")) plan.outcome = { status: "failed", code: "006001095", message: "Task response error", at: running(0.6) };
  if (ask?.failAt !== undefined)
    plan.outcome = { status: "failed", code: "006001095", message: "Task response error", at: running(ask.failAt) };
  if (has("fail-006001099")) plan.outcome = { status: "failed", code: "006001099", message: "Task creation error", at: 0.05 };
  // Refused by moderation on the spot: the create's own answer is already `failed`.
  if (has("create-failed"))
    plan.outcome = { status: "failed", code: "110001", message: "input image may contain sensitive information", at: 0 };
  if (has("callback-twice")) plan.callbacks = "twice";
  if (has("callback-out-of-order")) plan.callbacks = "out-of-order";
  if (has("callback-late")) plan.callbacks = "late";
  return plan;
}

/**
 * A 64-bit hash of a text (two 32-bit FNV-1a lanes with different seeds). Only tells "same body"
 * from "different body" for idempotent creates, so it needs no cryptography (and so no Node API,
 * and no secure context in a browser).
 */
function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(16).padStart(8, "0")}${(b >>> 0).toString(16).padStart(8, "0")}`;
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const byte of buf) out += byte.toString(16).padStart(2, "0");
  return out;
}
