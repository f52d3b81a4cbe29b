// The transport: one HTTP attempt at a time. It sends the client's two requests (a create, a task
// look-up: their paths are the contract's, see `paths`), and turns whatever comes back into the
// documented form or into this library's errors - every answer passes through the wire reader
// (wire.ts) here and nowhere else. It never retries and never decides what a failure means for
// billing: retry.ts and create.ts do. It uses fetch itself rather than openapi-fetch: two fixed
// requests need none of its serializers, and a browser bundle of the client stays smaller without
// them (openapi-fetch is the client's `raw`, for anything else; see client.ts).
import { rememberAnswer } from "./answer.js";
import { apiError, type KirinApiError, KirinConnectionError, KirinCreateRejectedError, KirinError, redactor } from "./errors.js";
import type { ClientHooks, Operation } from "./events.js";
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

export interface Transport {
  /**
   * One POST of the create envelope. The task it answers carries the answer's request id and
   * Retry-After beside it (answer.ts), as every task this transport reads does.
   */
  create(envelope: CreateTaskRequest, context: TaskContext, attempt: number, signal?: AbortSignal): Promise<Task>;
  /** One GET of a task by its id or its external_task_id; `context` stands in for what the answer leaves out. */
  getTask(id: string, operation: Operation, attempt: number, signal?: AbortSignal, context?: TaskContext): Promise<Task>;
}

const TASK_PATH = "/model/v1/generation/task/{id}" satisfies keyof paths;
const CREATE_PATH = "/model/v1/generation" satisfies keyof paths;

/**
 * System codes of connection failures that happen before a request can have left: the connection
 * was refused or had no route, the host has no address (getaddrinfo's `EAI_` family), the connect
 * timed out, or TLS refused the server's certificate (OpenSSL's verification codes, `CERT_` and
 * `UNABLE_TO_` families). Every other failure (a reset, a closed socket, a timeout after connecting)
 * may come after the server had the request.
 */
const NEVER_SENT =
  /^(?:ECONNREFUSED|ENOTFOUND|EAI_\w+|E(?:HOST|NET)(?:UNREACH|DOWN)|UND_ERR_CONNECT_TIMEOUT|CERT_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_WRONG_VERSION_NUMBER)$/;

export function createTransport(options: TransportOptions): Transport {
  const { apiKey, baseUrl, timeoutMs, hooks } = options;
  const redact = redactor(apiKey);
  const userFetch = options.fetch;
  // The key lives only in this closure: no property of any object we hand out holds it, so
  // neither inspect() nor JSON.stringify() can show it.
  const authorization = `Bearer ${apiKey}`;

  /**
   * Sends one request. The platform fetch gets a URL and an init (building a Request first costs
   * about a tenth of a loopback call's CPU in Node, and fetch builds another); it is looked up per
   * call, so a fetch installed after the client was made is used. An injected fetch gets a Request.
   */
  async function request(method: "GET" | "POST", url: string, body: unknown, signal: AbortSignal | undefined): Promise<Sent> {
    const init: RequestInit = {
      method,
      redirect: "follow",
      headers: body === undefined ? { Authorization: authorization } : { Authorization: authorization, "Content-Type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    };
    const response = await (userFetch ? userFetch(new Request(url, init)) : globalThis.fetch(url, init));
    return { body: await readBody(response), response };
  }

  /**
   * One attempt: sends, reads the answer into a Task (taskOrThrow), reports it to the hooks, and
   * maps any failure to this library's errors.
   */
  async function send(
    event: { operation: Operation; attempt: number; method: "GET" | "POST"; url: string },
    body: unknown,
    signal: AbortSignal | undefined,
    context: TaskContext,
  ): Promise<Task> {
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
      const { body: answer, response } = await request(event.method, event.url, body, child?.signal);
      status = response.status;
      // Headers are the server's words too: a gateway may echo the Authorization header in one.
      requestId = redact(response.headers.get("x-request-id") ?? undefined);
      if (!response.ok) throw httpError(response, redact(readErrorValue(answer)), requestId);
      return taskOrThrow(answer, response, requestId, context, event.operation);
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
    // An answer came, but its body could not be parsed as JSON (see readBody). The parser's message
    // quotes the start of the body, and with it any part of the key the body echoed (a part the
    // redactor cannot recognise): it is not kept.
    if (error instanceof SyntaxError) return new KirinConnectionError("The server answered with a body that is not JSON");
    const cause = scrubbed(error, redact);
    const code = redact(systemCode(error));
    const detail = code && !cause.message.includes(code) ? `${code}: ${innerMessage(cause)}` : innerMessage(cause);
    return new KirinConnectionError(`Connection failed: ${cause.message}${detail && detail !== cause.message ? ` (${detail})` : ""}`, {
      cause,
      code,
      mayHaveReachedServer: !(code && NEVER_SENT.test(code)),
    });
  }

  function taskOrThrow(data: unknown, response: Response, requestId: string | undefined, context: TaskContext, operation: Operation): Task {
    const reading = readAnswer(data, context);
    if (reading.task) {
      // A failed task's words become an error message; a task is scrubbed like any error body.
      const task = redact(reading.task);
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      rememberAnswer(task, { requestId, retryAfterMs });
      return task;
    }
    const body = redact(readErrorValue(data));
    if (reading.refusal) {
      // The error reads the server's code, words and request id from the scrubbed body itself.
      const init = { status: reading.refusal.status ?? response.status, body, requestId };
      // A status wrapper names its real status; a bare refusal of a create made no task.
      if (reading.refusal.status !== undefined) throw apiError(init);
      throw operation === "create" ? new KirinCreateRejectedError(init) : apiError(init);
    }
    const what = (reading.issues ?? []).map((i) => `${i.path || "body"} ${i.message}`).join("; ");
    throw new KirinConnectionError(`The server answered ${response.status} with something that is not a task: ${what}`);
  }

  return {
    async create(envelope, context, attempt, signal) {
      const event = { operation: "create" as const, attempt, method: "POST" as const, url: `${baseUrl}${CREATE_PATH}` };
      return send(event, envelope, signal, context);
    },
    async getTask(id, operation, attempt, signal, context = {}) {
      const event = { operation, attempt, method: "GET" as const, url: `${baseUrl}${TASK_PATH.replace("{id}", encodeURIComponent(id))}` };
      return send(event, undefined, signal, context);
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

type Sent = { body: unknown; response: Response };

/**
 * An answer's body: nothing for an empty one, JSON for a success (a body that is not JSON throws
 * SyntaxError), and for an error JSON where it parses, else its text (a proxy's HTML page).
 */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  if (response.ok) return JSON.parse(text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
