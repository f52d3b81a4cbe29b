// The typed client: openapi-fetch with the generated `paths`, plus what a video API needs on top -
// validation before anything is sent, the envelope, typed errors, retries, and creates that are
// never billed twice.
//
// Never double-bill. Every create carries an `external_task_id` (the caller's or a fresh one).
// When a create's outcome is unknown - the connection dropped, the request timed out, the server
// answered 408/5xx after it had the body - the task may exist. Before sending again the client
// asks GET /task/{external_task_id}: a task there is the answer; 404 means it was never made,
// so the create is sent again. Should the look-up itself fail, the outcome stays unknown and the
// next attempt looks again. The contract adds a second guard: the same external id with the same
// body returns the existing task instead of making a new one.
//
// 409 on a create means the external id already names a task made from a DIFFERENT body (a
// reused id, or a body that changed between attempts). Sending again cannot fix that and
// returning that other task would hand the caller someone else's video, so it is thrown as
// KirinConflictError, never retried. A 429 is the one "no" that is certain to have made nothing:
// it is re-sent after the wait without a look-up.
import createClient, { type Client } from "openapi-fetch";
import {
  apiError,
  KirinApiError,
  KirinConnectionError,
  KirinError,
  KirinValidationError,
  redactor,
} from "./errors.js";
import { waitForTask, pollOnce, type PollResult, type WaitOptions } from "./poll.js";
import { backoffMs, childSignal, isRetryableStatus, parseRetryAfter, sleep } from "./retry.js";
import { normalizeTask } from "./task.js";
import type { KirinRequest, paths, Task } from "./types.js";
import { validateRequest } from "./validate.js";

/** From the contract's `servers` (production gateway). */
export const DEFAULT_BASE_URL = "https://cloud.vtrix.ai";
const DEFAULT_RETRIES = 2;

export interface KirinClientOptions {
  apiKey: string;
  baseUrl?: string;
  /** A standard fetch; tests and edge runtimes inject theirs. Default: globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** Run validateRequest before each create (default true). */
  validate?: boolean;
  /**
   * Per-attempt timeout in ms. Default: none of its own - the platform's (Node's fetch gives up
   * after 300 s without headers) and the call's `signal` bound an attempt. It is opt-in because in
   * Node a timer plus an abort signal on every request costs about 15% of a loopback call's CPU;
   * waitForTask bounds its polls with its deadline anyway. A create that times out has an unknown
   * outcome and is looked up by its external_task_id before it is sent again.
   */
  timeoutMs?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's `retries` for this call. */
  retries?: number;
}

export interface KirinClient {
  /** Validates, wraps `{ model, ...params }` into the gateway envelope and creates the task. */
  createTask(body: KirinRequest, options?: RequestOptions): Promise<Task>;
  /** The task by its id or by its `external_task_id`. */
  getTask(id: string, options?: RequestOptions): Promise<Task>;
  waitForTask(id: string, options?: WaitOptions): Promise<Task>;
  /** createTask, then waitForTask. */
  generate(body: KirinRequest, options?: WaitOptions & RequestOptions): Promise<Task>;
  /** The openapi-fetch client, authenticated, for anything else. */
  readonly raw: Client<paths>;
  [pollOnce](id: string, signal: AbortSignal): Promise<PollResult>;
}

type Attempt = { data?: unknown; error?: unknown; response: Response };

export function createKirinClient(options: KirinClientOptions): KirinClient {
  const { apiKey } = options;
  if (typeof apiKey !== "string" || apiKey.trim() === "") throw new KirinError("createKirinClient: apiKey is required");
  const redact = redactor(apiKey);
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const defaultRetries = options.retries ?? DEFAULT_RETRIES;
  const timeoutMs = options.timeoutMs ?? Infinity;
  const userFetch = options.fetch;
  // The key lives only in this closure and in openapi-fetch's: no property of any object we hand
  // out holds it, so neither inspect() nor JSON.stringify() can show it.
  const raw = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${apiKey}` },
    // Resolved per call, so a fetch installed after the client was made is still used.
    fetch: (request: Request) => (userFetch ?? globalThis.fetch)(request),
  });

  /**
   * How one attempt reaches the network. openapi-fetch builds the URL, headers and JSON body and
   * wraps them in a Request; a Request is costly to build in Node (about a tenth of a loopback
   * call's CPU) and Node's fetch builds another one from it. So our own calls hand openapi-fetch
   * `PlannedRequest`, which only records URL and init, and make the one real Request at the end:
   * inside the platform fetch, or explicitly for an injected fetch (which may only look at the
   * Request, so the abort signal goes into it). `raw` keeps real Requests for its users, and so do
   * our calls once middleware has been added with `raw.use` (middleware expects a real Request).
   */
  let middleware = false;
  const use = raw.use.bind(raw);
  raw.use = (...added) => {
    middleware = true;
    use(...added);
  };
  const attemptOptions = (signal: AbortSignal | undefined) => (middleware ? { ...(signal && { signal }) } : {
    Request: PlannedRequest as unknown as typeof Request,
    fetch: (planned: Request) => {
      const { url, init } = planned as unknown as PlannedRequest;
      const withSignal = signal ? { ...init, signal } : init;
      return userFetch ? userFetch(new Request(url, withSignal)) : globalThis.fetch(url, withSignal);
    },
  });

  /** One HTTP attempt, with its own timeout; turns failures into this library's errors. */
  async function attempt(
    send: (options: ReturnType<typeof attemptOptions>) => Promise<Attempt>,
    signal?: AbortSignal,
  ): Promise<{ data: unknown; response: Response }> {
    // No caller signal and no timeout: nothing can abort this attempt, so no signal is made.
    const child = signal || Number.isFinite(timeoutMs) ? childSignal(signal, timeoutMs) : undefined;
    try {
      const { data, error, response } = await send(attemptOptions(child?.signal));
      if (!response.ok) {
        throw apiError({
          status: response.status,
          body: redact(error),
          requestId: response.headers.get("x-request-id") ?? undefined,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        });
      }
      return { data, response };
    } catch (error) {
      if (error instanceof KirinError) throw error;
      if (signal?.aborted) throw signal.reason;
      // Messages from fetch implementations can quote the request; scrub before keeping anything.
      const message = redact(error instanceof Error ? error.message : String(error));
      const cause = new Error(message);
      cause.name = error instanceof Error ? redact(error.name) : "Error";
      throw new KirinConnectionError(
        child?.timedOut() ? `Request timed out after ${timeoutMs} ms` : `Connection failed: ${message}`,
        { cause, timedOut: child?.timedOut() ?? false },
      );
    } finally {
      child?.done();
    }
  }

  const fetchTask = (id: string, signal?: AbortSignal) =>
    attempt((o) => raw.GET("/model/v1/generation/task/{id}", { params: { path: { id } }, ...o }), signal);

  /** Runs `run` with retries on connection errors and retryable statuses. */
  async function withRetries<T>(
    retries: number,
    signal: AbortSignal | undefined,
    run: () => Promise<T>,
    retryableStatus: (status: number) => boolean = isRetryableStatus,
  ): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await run();
      } catch (error) {
        const retryable =
          error instanceof KirinConnectionError || (error instanceof KirinApiError && retryableStatus(error.status));
        if (!retryable || n >= retries || signal?.aborted) throw error;
        const wait = (error instanceof KirinApiError ? error.retryAfterMs : undefined) ?? backoffMs(n + 1);
        await sleep(wait, signal);
      }
    }
  }

  async function getTask(id: string, opts: RequestOptions = {}): Promise<Task> {
    return withRetries(opts.retries ?? defaultRetries, opts.signal, async () => normalizeTask((await fetchTask(id, opts.signal)).data));
  }

  async function createTask(body: KirinRequest, opts: RequestOptions = {}): Promise<Task> {
    if (options.validate !== false) {
      const result = validateRequest(body);
      if (!result.valid) throw new KirinValidationError(result.issues);
    }
    const { model, ...params } = body as KirinRequest & { external_task_id?: string };
    const externalId = params.external_task_id ?? newExternalId();
    const envelope = { model, input: [{ params: { ...params, external_task_id: externalId } }] } as paths["/model/v1/generation"]["post"]["requestBody"]["content"]["application/json"];
    let outcomeUnknown = false;
    return withRetries(opts.retries ?? defaultRetries, opts.signal, async () => {
      if (outcomeUnknown) {
        try {
          return normalizeTask((await fetchTask(externalId, opts.signal)).data);
        } catch (error) {
          // Only a 404 proves the earlier attempt made nothing; anything else keeps us unsure.
          if (!(error instanceof KirinApiError && error.status === 404)) throw error;
          outcomeUnknown = false;
        }
      }
      try {
        const { data } = await attempt((o) => raw.POST("/model/v1/generation", { body: envelope, ...o }), opts.signal);
        return normalizeTask(data);
      } catch (error) {
        // 429 is a refusal before any work; connection trouble, 408 and 5xx may hide a created task.
        outcomeUnknown =
          error instanceof KirinConnectionError ||
          (error instanceof KirinApiError && (error.status === 408 || error.status >= 500));
        throw error;
      }
    }, (status) => status !== 409 && isRetryableStatus(status));
  }

  const client: KirinClient = {
    createTask,
    getTask,
    waitForTask: (id, opts) => waitForTask(client, id, opts),
    async generate(body, opts = {}) {
      const task = await createTask(body, opts);
      return waitForTask(client, task.id, { initialTask: task, ...opts });
    },
    raw,
    async [pollOnce](id, signal) {
      const { data, response } = await fetchTask(id, signal);
      return { task: normalizeTask(data), retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) };
    },
  };
  return client;
}

/** What openapi-fetch is given in place of a Request for the client's own calls (see attemptOptions). */
class PlannedRequest {
  constructor(
    readonly url: string,
    readonly init: RequestInit,
  ) {}
  /** openapi-fetch reads it to skip parsing a HEAD answer. */
  get method(): string {
    return this.init.method ?? "GET";
  }
}

/** A fresh idempotency key; crypto.randomUUID exists in browsers (secure contexts) and Node 19+. */
function newExternalId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return `kirin-${uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`}`;
}
