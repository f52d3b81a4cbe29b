// The transport: one HTTP attempt at a time. It builds the request (openapi-fetch with the
// generated `paths`), sends it, and turns whatever comes back into the documented form or into this
// library's errors - every answer passes through the wire reader (wire.ts) here and nowhere else.
// It never retries and never decides what a failure means for billing: retry.ts and create.ts do.
import createClient, { type Client } from "openapi-fetch";
import { rememberAnswer } from "./answer.js";
import type { ClientHooks, Operation } from "./events.js";
import {
  apiError,
  KirinApiError,
  KirinConnectionError,
  KirinCreateRejectedError,
  KirinError,
  redactor,
} from "./errors.js";
import { abortError, childSignal, parseRetryAfter, throwIfAborted } from "./retry.js";
import type { CreateTaskRequest, paths, Task } from "./types.js";
import { readAnswer, readErrorValue, type TaskContext } from "./wire.js";

export interface TransportOptions {
  apiKey: string;
  baseUrl: string;
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Per-attempt timeout in ms (Infinity for none). */
  timeoutMs: number;
  hooks: Required<ClientHooks>;
}

/** A task read from an answer, with what the answer said besides. */
export interface Answer {
  task: Task;
  requestId: string | undefined;
  retryAfterMs: number | undefined;
}

export interface Transport {
  /** The openapi-fetch client, authenticated, for anything else. */
  readonly raw: Client<paths>;
  /** One POST of the create envelope. */
  create(envelope: CreateTaskRequest, context: TaskContext, attempt: number, signal?: AbortSignal): Promise<Answer>;
  /** One GET of a task by its id or its external_task_id. */
  getTask(id: string, operation: Operation, attempt: number, signal?: AbortSignal): Promise<Answer>;
}

const TASK_PATH = "/model/v1/generation/task/{id}";
const CREATE_PATH = "/model/v1/generation";

/**
 * System codes of connection failures that happen before a request can have left: the connection
 * was refused or never made, the host has no address, TLS refused the server. Every other failure
 * (a reset, a closed socket, a timeout) may come after the server had the request.
 */
const NEVER_SENT = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN",
  "EHOSTDOWN", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

type Sent = { data?: unknown; error?: unknown; response: Response };

export function createTransport(options: TransportOptions): Transport {
  const { apiKey, baseUrl, timeoutMs, hooks } = options;
  const redact = redactor(apiKey);
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
  const sendOptions = (signal: AbortSignal | undefined) =>
    middleware
      ? { ...(signal && { signal }) }
      : {
          Request: PlannedRequest as unknown as typeof Request,
          fetch: (planned: Request) => {
            const { url, init } = planned as unknown as PlannedRequest;
            const withSignal = signal ? { ...init, signal } : init;
            return userFetch ? userFetch(new Request(url, withSignal)) : globalThis.fetch(url, withSignal);
          },
        };

  /**
   * One attempt: sends, reads the answer into a Task (taskOrThrow), reports it to the hooks, and
   * maps any failure to this library's errors.
   */
  async function send(
    event: { operation: Operation; attempt: number; method: string; url: string },
    request: (options: ReturnType<typeof sendOptions>) => Promise<Sent>,
    signal: AbortSignal | undefined,
    context: TaskContext,
  ): Promise<Answer> {
    // An aborted call sends nothing more, and the hooks see no request that never went out.
    throwIfAborted(signal);
    hooks.onRequest(event);
    const started = Date.now();
    let status: number | undefined;
    let requestId: string | undefined;
    let failure: KirinError | undefined;
    // No caller signal and no timeout: nothing can abort this attempt, so no signal is made.
    const child = signal || Number.isFinite(timeoutMs) ? childSignal(signal, timeoutMs) : undefined;
    try {
      const { data, error, response } = await request(sendOptions(child?.signal));
      status = response.status;
      // Headers are the server's words too: a gateway may echo the Authorization header in one.
      requestId = redact(response.headers.get("x-request-id") ?? undefined);
      if (!response.ok) throw httpError(response, redact(readErrorValue(error)), requestId);
      return taskOrThrow(data, response, requestId, context, event.operation);
    } catch (error) {
      if (error instanceof KirinError) throw (failure = error);
      if (signal?.aborted) throw abortError(signal);
      throw (failure = connectionError(error, child?.timedOut() ?? false));
    } finally {
      child?.done();
      hooks.onResponse({ ...event, status, latencyMs: Date.now() - started, requestId, error: failure });
    }
  }

  function connectionError(error: unknown, timedOut: boolean): KirinConnectionError {
    if (timedOut) return new KirinConnectionError(`Request timed out after ${timeoutMs} ms`, { timedOut: true });
    // An answer came, but openapi-fetch could not parse its body as JSON. The parser's message
    // quotes the start of the body, and with it any part of the key the body echoed (a part the
    // redactor cannot recognise): it is not kept.
    if (error instanceof SyntaxError) return new KirinConnectionError("The server answered with a body that is not JSON");
    const cause = scrubbed(error, redact);
    const code = redact(systemCode(error));
    const detail = code && !cause.message.includes(code) ? `${code}: ${innerMessage(cause)}` : innerMessage(cause);
    return new KirinConnectionError(`Connection failed: ${cause.message}${detail && detail !== cause.message ? ` (${detail})` : ""}`, {
      cause,
      code,
      mayHaveReachedServer: !(code && NEVER_SENT.has(code)),
    });
  }

  function taskOrThrow(data: unknown, response: Response, requestId: string | undefined, context: TaskContext, operation: Operation): Answer {
    const reading = readAnswer(data, context);
    if (reading.task) {
      // A failed task's words become an error message; a task is scrubbed like any error body.
      const task = redact(reading.task);
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      rememberAnswer(task, { requestId, retryAfterMs });
      return { task, requestId, retryAfterMs };
    }
    const body = redact(readErrorValue(data));
    if (reading.refusal) {
      const init = {
        status: reading.refusal.status ?? response.status,
        body,
        code: reading.refusal.code,
        serverMessage: redact(reading.refusal.message),
        requestId: requestId ?? reading.refusal.requestId,
      };
      // A status wrapper names its real status; a bare refusal of a create made no task.
      if (reading.refusal.status !== undefined) throw apiError(init);
      throw operation === "create" ? new KirinCreateRejectedError(init) : apiError(init);
    }
    const what = (reading.issues ?? []).map((i) => `${i.path || "body"} ${i.message}`).join("; ");
    throw new KirinConnectionError(`The server answered ${response.status} with something that is not a task: ${what}`);
  }

  return {
    raw,
    async create(envelope, context, attempt, signal) {
      const event = { operation: "create" as const, attempt, method: "POST", url: `${baseUrl}${CREATE_PATH}` };
      return send(event, (o) => raw.POST(CREATE_PATH, { body: envelope, ...o }), signal, context);
    },
    async getTask(id, operation, attempt, signal) {
      const event = { operation, attempt, method: "GET", url: `${baseUrl}${TASK_PATH.replace("{id}", encodeURIComponent(id))}` };
      return send(event, (o) => raw.GET(TASK_PATH, { params: { path: { id } }, ...o }), signal, {});
    },
  };
}

/** An HTTP error answer as this library's error (it reads the server's words from any envelope). */
function httpError(response: Response, body: unknown, requestId: string | undefined): KirinApiError {
  return apiError({ status: response.status, body, requestId, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) });
}

/** The system code of a failure, from the error or its causes (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
export function systemCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code) return code;
  }
  return undefined;
}

type Scrubbed = Error & { code?: string };

/**
 * A copy of an error and its causes that keeps names, messages (with the key scrubbed) and codes,
 * and nothing else: fetch implementations can quote the request in their messages.
 */
function scrubbed(error: unknown, redact: <T>(v: T) => T, depth = 0): Scrubbed {
  const source = error instanceof Error ? error : undefined;
  const copy: Scrubbed = new Error(redact(source ? source.message : String(error)));
  copy.name = source ? redact(source.name) : "Error";
  const code = (source as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") copy.code = redact(code);
  const cause = (source as { cause?: unknown } | undefined)?.cause;
  if (cause !== undefined && depth < 3) copy.cause = scrubbed(cause, redact, depth + 1);
  return copy;
}

/** The message of the innermost cause: `fetch failed` says less than `connect ECONNREFUSED 127.0.0.1:9`. */
function innerMessage(error: Scrubbed): string {
  let e: Scrubbed = error;
  while (e.cause instanceof Error) e = e.cause as Scrubbed;
  return e.message;
}

/** What openapi-fetch is given in place of a Request for the client's own calls (see sendOptions). */
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
