// The error hierarchy. Every error this library raises is a KirinError, so callers can tell "the
// library said no" from a bug with one instanceof - an abort too: it throws KirinAbortError, whose
// `cause` is the signal's reason. (Errors a caller's own callback throws, an `onProgress` or a
// fake client, are passed on as they are.) Each carries a `category` a UI can act on.
// None of them ever holds the API key: the
// client scrubs it from anything that came off the wire (see `redactor`) before building an error,
// and no error keeps a reference to the request (whose headers carry the key).
// retry.ts imports this module's classes in turn; both only use each other inside functions.
import { isRetryableStatus } from "./retry.js";
import type { Task, ValidationIssue } from "./types.js";
import { readErrorBody } from "./wire.js";

/**
 * What a UI can do about an error:
 * - `retry-later`: transient (rate limit, server trouble, no connection, no capacity); try again.
 * - `fix-request`: the request itself is wrong or was refused; sending it again will not help.
 * - `account`: the API key or the account (no key, wrong key, no permission, no credit).
 * - `outcome-unknown`: a create may or may not have made (and billed) a task; look it up before
 *   sending it again.
 */
export type KirinErrorCategory = "retry-later" | "fix-request" | "account" | "outcome-unknown";

export class KirinError extends Error {
  override name = "KirinError";
  // Fields the constructors set are `declare`d: as class fields each would be emitted, and set to
  // undefined, before the constructor sets it.
  declare readonly category: KirinErrorCategory;
  constructor(message: string, options: { cause?: unknown; category?: KirinErrorCategory } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.category = options.category ?? "fix-request";
  }

  /**
   * What `JSON.stringify(error)` shows: name, message, the error's fields and its cause chain (a
   * plain Error shows only its message). Every one of them was scrubbed of the key when it was made.
   */
  toJSON(): Record<string, unknown> {
    const cause = this.cause;
    const fields: object = { ...this };
    return {
      name: this.name,
      message: this.message,
      ...fields,
      ...(cause !== undefined && {
        cause:
          cause instanceof KirinError
            ? cause.toJSON()
            : cause instanceof Error
              ? { name: cause.name, message: cause.message, ...codeOf(cause) }
              : cause,
      }),
    };
  }
}

function codeOf(error: Error): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { code } : {};
}

/** The body of an HTTP error answer, as far as it could be parsed. */
export type ApiErrorBody = unknown;

export interface KirinApiErrorInit {
  status: number;
  body: ApiErrorBody;
  /** The server's machine code; read from the body (any envelope) when not given. */
  code?: string | undefined;
  /** The server's own words; read from the body (any envelope) when not given. */
  serverMessage?: string | undefined;
  requestId?: string | undefined;
  /** Parsed `Retry-After`, in ms, when the answer had one. */
  retryAfterMs?: number | undefined;
}

/** The server answered with an error status. Subclasses by status, see `apiError`. */
export class KirinApiError extends KirinError {
  override name = "KirinApiError";
  declare readonly status: number;
  /** The server's code (`"rate_limited"`, `"40201"`, `"1002"`), or `http_<status>` when it gave none. */
  declare readonly code: string;
  /** What the server said, in its own words. */
  declare readonly serverMessage: string | undefined;
  declare readonly requestId: string | undefined;
  declare readonly body: ApiErrorBody;
  declare readonly retryAfterMs: number | undefined;

  constructor(init: KirinApiErrorInit) {
    const words = readErrorBody(init.body);
    const code = init.code ?? words.code ?? `http_${init.status}`;
    const text = init.serverMessage ?? words.message;
    const requestId = init.requestId ?? words.requestId;
    super(`${init.status} ${code}${text ? `: ${text}` : ""}${requestId ? ` (request ${requestId})` : ""}`, {
      category: categoryOfStatus(init.status),
    });
    this.status = init.status;
    this.code = code;
    this.serverMessage = text;
    this.requestId = requestId;
    this.body = init.body;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Server-reported validation issues (this project's mock sends them with a 400). */
  get issues(): ValidationIssue[] {
    const body = this.body as { error?: { issues?: unknown } } | null;
    const issues = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error.issues : undefined;
    return Array.isArray(issues) ? (issues as ValidationIssue[]) : [];
  }
}

/** The account statuses, else what the retry policy (retry.ts) says: worth another try or not. */
function categoryOfStatus(status: number): KirinErrorCategory {
  if (status === 401 || status === 402 || status === 403) return "account";
  return isRetryableStatus(status) ? "retry-later" : "fix-request";
}

export class KirinBadRequestError extends KirinApiError {
  override name = "KirinBadRequestError";
}
export class KirinAuthenticationError extends KirinApiError {
  override name = "KirinAuthenticationError";
}
/** 402: the account has no credit left. Nothing was created; never retried. */
export class KirinInsufficientCreditsError extends KirinApiError {
  override name = "KirinInsufficientCreditsError";
}
export class KirinPermissionDeniedError extends KirinApiError {
  override name = "KirinPermissionDeniedError";
}
export class KirinNotFoundError extends KirinApiError {
  override name = "KirinNotFoundError";
}
/** 409: the `external_task_id` already names a task made from a different body. */
export class KirinConflictError extends KirinApiError {
  override name = "KirinConflictError";
}
export class KirinPayloadTooLargeError extends KirinApiError {
  override name = "KirinPayloadTooLargeError";
}
export class KirinUnsupportedMediaTypeError extends KirinApiError {
  override name = "KirinUnsupportedMediaTypeError";
}
export class KirinRateLimitError extends KirinApiError {
  override name = "KirinRateLimitError";
}
export class KirinInternalServerError extends KirinApiError {
  override name = "KirinInternalServerError";
}
/**
 * A create answered 200 with an error and no task id: the server made nothing it could name, and
 * says why (`serverMessage`). Nothing more is sent.
 */
export class KirinCreateRejectedError extends KirinApiError {
  override name = "KirinCreateRejectedError";
}

const byStatus: Record<number, typeof KirinApiError> = {
  400: KirinBadRequestError,
  401: KirinAuthenticationError,
  402: KirinInsufficientCreditsError,
  403: KirinPermissionDeniedError,
  404: KirinNotFoundError,
  409: KirinConflictError,
  413: KirinPayloadTooLargeError,
  415: KirinUnsupportedMediaTypeError,
  429: KirinRateLimitError,
};

/** The error class that fits a status: 5xx share one class, unknown 4xx get the base class. */
export function apiError(init: KirinApiErrorInit): KirinApiError {
  const Class = byStatus[init.status] ?? (init.status >= 500 ? KirinInternalServerError : KirinApiError);
  return new Class(init);
}

/**
 * No usable answer: DNS, refused or dropped connection, a per-request timeout, or a 2xx body that
 * was not JSON or not a task. `mayHaveReachedServer` is false only when the request provably never
 * left (the connection was refused, the host was not found, TLS failed): for a create that is the
 * one connection failure that is safe to send again.
 */
export class KirinConnectionError extends KirinError {
  override name = "KirinConnectionError";
  declare readonly timedOut: boolean;
  /** The system's code for the failure, when there is one (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`). */
  declare readonly code: string | undefined;
  declare readonly mayHaveReachedServer: boolean;
  constructor(
    message: string,
    options: { cause?: unknown; timedOut?: boolean; code?: string | undefined; mayHaveReachedServer?: boolean } = {},
  ) {
    super(message, { cause: options.cause, category: "retry-later" });
    this.timedOut = options.timedOut ?? false;
    this.code = options.code;
    this.mayHaveReachedServer = options.mayHaveReachedServer ?? true;
  }
}

/**
 * A create failed in a way that does not tell whether the server made the task: a 5xx other than
 * 503, a connection that broke or timed out after the request was sent. The task may exist - and
 * cost money - under `externalTaskId`, so the create was NOT sent again. Look it up later with
 * `client.getTask(externalTaskId)`, or create with `resendIfAbsent: true` to let the client look it
 * up and send again only when the gateway answers that it does not know it.
 */
export class KirinCreateOutcomeUnknownError extends KirinError {
  override name = "KirinCreateOutcomeUnknownError";
  declare readonly externalTaskId: string;
  constructor(externalTaskId: string, cause: unknown, lookup?: string) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `The create may or may not have made a task (${why}); it was not sent again. ` +
        `Look for it later by its external_task_id '${externalTaskId}'${lookup ? ` (${lookup})` : ""}.`,
      { cause, category: "outcome-unknown" },
    );
    this.externalTaskId = externalTaskId;
  }
}

/** `validateRequest` found errors; nothing was sent. */
export class KirinValidationError extends KirinError {
  override name = "KirinValidationError";
  declare readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], what = "request") {
    const errors = issues.filter((i) => i.severity === "error");
    const first = errors[0] ?? issues[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    super(first ? `Invalid ${what}: ${first.path || "/"}: ${first.message}${more}` : `Invalid ${what}`, { category: "fix-request" });
    this.issues = issues;
  }
}

/** Task error codes the contract marks as transient (`x-kirin-error-codes`, retryable: true). */
const RETRYABLE_TASK_CODES = new Set(["006001094"]);

/**
 * The task ended in `failed`. `code` is in the seeds' form (`"006001094"` even when the gateway
 * sent the integer `6001094`, which stays in `originalCode`). Creating the task again may help
 * when `retryable` is true - under a new `external_task_id`, or the old failed task comes back.
 */
export class KirinTaskFailedError extends KirinError {
  override name = "KirinTaskFailedError";
  declare readonly task: Task;
  declare readonly taskId: string;
  declare readonly code: string;
  /** The code exactly as the gateway sent it, when that differs from `code`. */
  declare readonly originalCode: string | number | undefined;
  declare readonly errorMessage: string;
  declare readonly retryable: boolean;
  /** `outcome` is for subclasses: an end that counts as a failure although the task says otherwise. */
  constructor(task: Task, outcome?: { code: string; errorMessage: string; retryable: boolean; message: string }) {
    const code = outcome?.code ?? task.error?.code ?? "unknown";
    const errorMessage = outcome?.errorMessage ?? task.error?.error_message ?? "";
    const retryable = outcome?.retryable ?? RETRYABLE_TASK_CODES.has(code);
    super(outcome?.message ?? `Task ${task.id} failed: ${code}${errorMessage ? ` ${errorMessage}` : ""}`, {
      category: retryable ? "retry-later" : "fix-request",
    });
    this.task = task;
    this.taskId = task.id;
    this.code = code;
    this.originalCode = task.error?.original_code;
    this.errorMessage = errorMessage;
    this.retryable = retryable;
  }
}

/**
 * The task ended `completed`, but its output holds no URL at all: the gateway reports success with
 * nothing to show for it. `waitForTask` (and so `generate`) raises this rather than hand back a
 * finished task without a result; `getTask` and `parseCallback` still return such a task as it is
 * (`videoUrls(task)` is empty, `hasOutputUrl(task)` false). `code` is `completed_without_output`.
 * Creating the task again may give the video (`retryable`), but this one may have been billed: see
 * `task.usage`.
 */
export class KirinTaskCompletedWithoutOutputError extends KirinTaskFailedError {
  override name = "KirinTaskCompletedWithoutOutputError";
  constructor(task: Task) {
    super(task, {
      code: "completed_without_output",
      errorMessage: "completed without any output URL",
      retryable: true,
      message: `Task ${task.id} completed without any output URL: there is no video to return`,
    });
  }
}

/**
 * The caller's signal aborted the call, and nothing more was sent. `cause` is the signal's reason:
 * what was given to `controller.abort(reason)`, or the platform's `AbortError` DOMException.
 * Category `retry-later`: the same call can be made again. A create cut off once its request may
 * have left is the exception: the task may exist (and cost money), so `externalTaskId` names it and
 * the category is `outcome-unknown` - look it up with `client.getTask(error.externalTaskId)`.
 */
export class KirinAbortError extends KirinError {
  override name = "KirinAbortError";
  /** Set when an aborted create may have made its task: the `external_task_id` to look it up by. */
  declare readonly externalTaskId: string | undefined;
  constructor(reason: unknown, options: { externalTaskId?: string | undefined } = {}) {
    const why = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
    const created =
      options.externalTaskId === undefined
        ? ""
        : `; the create may have made a task: look it up by its external_task_id '${options.externalTaskId}'`;
    super(`The call was aborted${why ? `: ${why}` : ""}${created}`, {
      cause: reason,
      category: options.externalTaskId === undefined ? "retry-later" : "outcome-unknown",
    });
    this.externalTaskId = options.externalTaskId;
  }
}

/** `waitForTask` reached its deadline. Call it again with `taskId` to resume. */
export class KirinTimeoutError extends KirinError {
  override name = "KirinTimeoutError";
  declare readonly taskId: string;
  /** The last task seen, if any poll succeeded. */
  declare readonly lastTask: Task | undefined;
  constructor(taskId: string, lastTask: Task | undefined, timeoutMs: number) {
    super(`Task ${taskId} not finished after ${Math.round(timeoutMs / 1000)} s (last status: ${lastTask?.status ?? "unknown"})`, {
      category: "retry-later",
    });
    this.taskId = taskId;
    this.lastTask = lastTask;
  }
}

/** Keys shorter than this are not real keys: searching text for them would only corrupt it. */
const SHORTEST_REDACTED_KEY = 8;
const REDACTED = "[redacted]";

/**
 * Returns a function that replaces every occurrence of `secret` in a string, or in the strings and
 * field names of a JSON-like value at any depth, with "[redacted]". Servers and fetch
 * implementations sometimes echo request headers in messages, bodies and headers; this is how the
 * key stays out of errors built from them. Only whole occurrences change: a value that does not hold
 * the key comes back as it was (the same object, not a copy), so codes, request ids and field names
 * without the key are never touched. A `secret` under 8 characters is not a real key and is never
 * searched for.
 */
export function redactor(secret: string): <T>(value: T) => T {
  if (secret.length < SHORTEST_REDACTED_KEY) return <T>(value: T) => value;
  const text = (s: string) => (s.includes(secret) ? s.split(secret).join(REDACTED) : s);
  return <T>(value: T): T => {
    if (typeof value === "string") return text(value) as T;
    if (!isObject(value) || !holds(value, secret)) return value;
    return scrubbedCopy(value, text) as T;
  };
}

const isObject = (v: unknown): v is object => typeof v === "object" && v !== null;

/**
 * Whether a string or a field name anywhere in `root` contains `secret`. Iterative (any depth), and
 * each object is visited once (cycles): a Set's loop also visits what is added to it while it runs.
 */
function holds(root: object, secret: string): boolean {
  const seen = new Set<object>([root]);
  for (const node of seen as Set<Record<string, unknown>>) {
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (key.includes(secret) || (typeof v === "string" && v.includes(secret))) return true;
      if (isObject(v)) seen.add(v);
    }
  }
  return false;
}

/**
 * A copy of `root` with `text` applied to every string and field name. Iterative, so a body nested
 * thousands deep cannot overflow the stack: the Map of copies is also the work list, as its loop
 * visits entries added while it runs. Fields are defined, never assigned, so a `__proto__` key
 * stays a plain field of the copy instead of becoming its prototype.
 */
function scrubbedCopy(root: object, text: (s: string) => string): unknown {
  const empty = (v: object) => (Array.isArray(v) ? [] : {});
  const copies = new Map<object, object>([[root, empty(root)]]);
  for (const [node, copy] of copies as Map<Record<string, unknown>, object>) {
    for (const key of Object.keys(node)) {
      let v = node[key];
      if (typeof v === "string") v = text(v);
      else if (isObject(v)) {
        if (!copies.has(v)) copies.set(v, empty(v));
        v = copies.get(v);
      }
      Object.defineProperty(copy, text(key), { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return copies.get(root);
}
