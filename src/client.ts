// The typed client: what a video API needs on top of the generated `paths` - validation before
// anything is sent, the gateway's envelope, typed errors, retries, and creates that are never
// billed twice. It only wires the parts together: the transport (transport.ts) sends one request
// and reads its answer, the idempotent create (create.ts) decides what a failed create means for
// billing, the retry policy (retry.ts) what is worth another try, and the poller (poll.ts) waits.
import createRawClient, { type Client } from "openapi-fetch";
import { createOnce } from "./create.js";
import { KirinError, KirinValidationError } from "./errors.js";
import { type ClientHooks, combineHooks, type Logger, type LogLevel, loggingHooks, type RetryEvent } from "./events.js";
import { type WaitOptions, waitForTask } from "./poll.js";
import { abortError, isTransient, retryEvent, sleep } from "./retry.js";
import { createTransport } from "./transport.js";
import type { CreateTaskRequest, KirinRequest, paths, Task, ValidationResult } from "./types.js";
import { validateRequest } from "./validate.js";

/** From the contract's `servers` (production gateway). */
export const DEFAULT_BASE_URL = "https://cloud.vtrix.ai";
const DEFAULT_RETRIES = 2;

export interface KirinClientOptions {
  apiKey: string;
  baseUrl?: string;
  /** A standard fetch; tests and edge runtimes inject theirs. Default: globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Further requests a call may make after its first one (default 2). */
  retries?: number;
  /**
   * Checks each create's body before it is sent: `false` for none, or a validator such as
   * `validateRequest`. Default: `validateRequest` when the client comes from `kirin-api`; none from
   * `kirin-api/client`, which leaves the validators out of a bundle unless they are passed here.
   */
  validate?: boolean | RequestValidator;
  /**
   * Per-attempt timeout in ms. Default: none of its own - the platform's (Node's fetch gives up
   * after 300 s without headers) and the call's `signal` bound an attempt. It is opt-in because in
   * Node a timer plus an abort signal on every request costs about 15% of a loopback call's CPU;
   * waitForTask bounds its polls with its deadline anyway. A create that times out may have made
   * its task: it is looked up by its external_task_id, never blindly sent again.
   */
  timeoutMs?: number;
  /**
   * After a create failed in a way that leaves its outcome unknown and a look-up by its
   * `external_task_id` answered 404, send the create again (default false). This assumes what the
   * gateway does not document: that such a look-up finds every task made with that id at once.
   * Without it, that case raises KirinCreateOutcomeUnknownError.
   */
  resendIfAbsent?: boolean;
  /** Observers of every request, response and retry (for tracing, metrics, a UI). */
  hooks?: ClientHooks;
  /** Where to log requests, retries and failures; `console` fits. Nothing is logged without it. */
  logger?: Logger;
  /** How much to log (default `warn`: retries and failed answers). */
  logLevel?: LogLevel;
}

/** A request check run before each create; `validateRequest` is one. */
export type RequestValidator = (body: unknown) => ValidationResult;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's `retries` for this call. */
  retries?: number;
  /** Called before each retry of this call, besides the client's hooks. */
  onRetry?: (event: RetryEvent) => void;
}

export interface GetTaskOptions extends RequestOptions {
  /**
   * How hooks, logs and onRetry events name this call's requests: `get` (default) or `poll`, which
   * waitForTask passes for its status requests.
   */
  operation?: "get" | "poll";
  /** The attempt number of this call's first request in those events (default 1); waitForTask counts a poll's tries. */
  attempt?: number;
}

export interface CreateOptions extends RequestOptions {
  /** Overrides the client's `resendIfAbsent` for this create. */
  resendIfAbsent?: boolean;
}

/**
 * The client's calls: a plain interface, so code that takes one can be given a fake in its tests
 * (see docs/testing.md). It is what `kirin-api/client` returns, and what runBatch and recreate
 * need; `waitForTask(client, id)` needs only `getTask` (PollableClient).
 */
export interface KirinCoreClient {
  /**
   * Validates, wraps `{ model, ...params }` into the gateway envelope and creates the task. A task
   * that the create answer already shows `failed` throws KirinTaskFailedError at once.
   */
  createTask(body: KirinRequest, options?: CreateOptions): Promise<Task>;
  /** The task by its id or by its `external_task_id`. */
  getTask(id: string, options?: GetTaskOptions): Promise<Task>;
  waitForTask(id: string, options?: WaitOptions): Promise<Task>;
  /** createTask, then waitForTask. */
  generate(body: KirinRequest, options?: WaitOptions & CreateOptions): Promise<Task>;
}

/** What `createKirinClient` from `kirin-api` returns: the four calls and an openapi-fetch client beside them. */
export interface KirinClient extends KirinCoreClient {
  /**
   * The openapi-fetch client, authenticated, for anything else the API offers. Middleware added
   * with `raw.use` applies to its calls only; the client's own requests go through `fetch`.
   */
  readonly raw: Client<paths>;
}

/** A client for the Kirin API (see KirinClientOptions); each create is checked by validateRequest unless `validate` says otherwise. */
export function createKirinClient(options: KirinClientOptions): KirinClient {
  const client = createClient(options, validateRequest);
  const raw = createRawClient<paths>({
    baseUrl: baseUrlOf(options),
    headers: { Authorization: `Bearer ${normalizeApiKey(options.apiKey)}` },
    // Resolved per call, so a fetch installed after the client was made is still used.
    fetch: (request: Request) => (options.fetch ?? globalThis.fetch)(request),
  });
  return Object.assign(client, { raw });
}

/**
 * The client, with `builtIn` as the validator `validate: true` (and no `validate`) stands for. The
 * entries choose it: `kirin-api` gives validateRequest, `kirin-api/client` none, so that a bundle
 * made from the latter holds no validators it was not handed.
 */
export function createClient(options: KirinClientOptions, builtIn?: RequestValidator): KirinCoreClient {
  const apiKey = normalizeApiKey(options.apiKey);
  const defaultRetries = options.retries ?? DEFAULT_RETRIES;
  const hooks = combineHooks(options.hooks, options.logger && loggingHooks(options.logger, options.logLevel ?? "warn"));
  const transport = createTransport({
    apiKey,
    baseUrl: baseUrlOf(options),
    fetch: options.fetch,
    timeoutMs: options.timeoutMs ?? Infinity,
    hooks,
  });
  const validator = validatorOf(options.validate, builtIn);
  const onRetry = (callHook?: (event: RetryEvent) => void) => combineHooks(hooks, { onRetry: callHook }).onRetry;

  async function getTask(id: string, opts: GetTaskOptions = {}): Promise<Task> {
    checkTaskId(id);
    const retries = opts.retries ?? defaultRetries;
    const notify = onRetry(opts.onRetry);
    const operation = opts.operation ?? "get";
    const first = opts.attempt ?? 1;
    for (let attempt = first; ; attempt++) {
      try {
        return await transport.getTask(id, operation, attempt, opts.signal);
      } catch (error) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        if (!isTransient(error) || attempt - first >= retries) throw error;
        const next = retryEvent(operation, attempt + 1, error);
        notify(next);
        await sleep(next.delayMs, opts.signal);
      }
    }
  }

  async function createTask(body: KirinRequest, opts: CreateOptions = {}): Promise<Task> {
    if (validator) {
      const result = validator(body);
      if (!result.valid) throw new KirinValidationError(result.issues);
    }
    const { model, ...params } = body as KirinRequest & { external_task_id?: string };
    const externalTaskId = params.external_task_id ?? newExternalId();
    const envelope = { model, input: [{ params: { ...params, external_task_id: externalTaskId } }] } as CreateTaskRequest;
    return createOnce(transport, envelope, { model }, externalTaskId, {
      retries: opts.retries ?? defaultRetries,
      resendIfAbsent: opts.resendIfAbsent ?? options.resendIfAbsent ?? false,
      signal: opts.signal,
      onRetry: onRetry(opts.onRetry),
    });
  }

  const client: KirinCoreClient = {
    createTask,
    getTask,
    waitForTask: async (id, opts = {}) => waitForTask(client, checkTaskId(id), { ...opts, onRetry: onRetry(opts.onRetry) }),
    async generate(body, opts = {}) {
      const task = await createTask(body, opts);
      return waitForTask(client, task.id, { initialTask: task, ...opts, onRetry: onRetry(opts.onRetry) });
    },
  };
  return client;
}

function baseUrlOf(options: KirinClientOptions): string {
  return (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** The validator `validate` asks for; `true` (or nothing) means the entry's built-in one. */
function validatorOf(validate: KirinClientOptions["validate"], builtIn: RequestValidator | undefined): RequestValidator | undefined {
  if (typeof validate === "function" || validate === false) return validate || undefined;
  if (validate === undefined || (validate === true && builtIn)) return builtIn;
  throw new KirinError(
    `createKirinClient: validate is ${String(validate)}; give false or a validator such as validateRequest from kirin-api (kirin-api/client has none built in)`,
  );
}

/**
 * The key exactly as it goes into the Authorization header, decided once. Surrounding whitespace is
 * dropped: a key read from a file often ends in a newline, which fetch strips from the header while
 * the redactor would still look for the untrimmed key, and miss the key the server echoes. A key
 * with whitespace or a control character inside was not read as one token; it is refused with its
 * position only, never its text.
 */
function normalizeApiKey(key: unknown): string {
  if (typeof key !== "string" || key.trim() === "") throw new KirinError("createKirinClient: apiKey is required");
  const trimmed = key.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  const bad = /[\s\x00-\x1f\x7f]/.exec(trimmed);
  if (bad) {
    throw new KirinError(
      `createKirinClient: apiKey has whitespace or a control character at position ${bad.index + 1} of ${trimmed.length}; ` +
        "an API key is one token (check how it was read or pasted)",
    );
  }
  return trimmed;
}

/** A task id fit for a URL path: a missing id must fail here, not become `/task/undefined`. */
function checkTaskId(id: unknown): string {
  if (typeof id !== "string" || id.trim() === "" || id === "undefined" || id === "null") {
    throw new KirinError(`A task id is required: a non-empty string (got ${typeof id === "string" ? JSON.stringify(id) : String(id)})`);
  }
  return id;
}

/** A fresh idempotency key; crypto.randomUUID exists in browsers (secure contexts) and Node 19+. */
function newExternalId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return `kirin-${uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`}`;
}
