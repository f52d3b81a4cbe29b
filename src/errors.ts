// The error hierarchy. Every error thrown by this library is a KirinError, so callers can tell
// "the library said no" from a bug with one instanceof. None of them ever holds the API key: the
// client scrubs it from anything that came off the wire (see `redactor`) before building an error,
// and no error keeps a reference to the request (whose headers carry the key).
import type { Task, ValidationIssue } from "./types.js";

export class KirinError extends Error {
  override name = "KirinError";
}

/** The body of an HTTP error answer, as far as it could be parsed. */
export type ApiErrorBody = unknown;

export interface KirinApiErrorInit {
  status: number;
  body: ApiErrorBody;
  requestId?: string | undefined;
  /** Parsed `Retry-After`, in ms, when the answer had one. */
  retryAfterMs?: number | undefined;
}

/** The server answered with a non-2xx status. Subclasses by status, see `apiError`. */
export class KirinApiError extends KirinError {
  override name = "KirinApiError";
  readonly status: number;
  /** `error.code` of the contract's ErrorResponse, or `http_<status>` when the body had none. */
  readonly code: string;
  readonly requestId: string | undefined;
  readonly body: ApiErrorBody;
  readonly retryAfterMs: number | undefined;

  constructor(init: KirinApiErrorInit) {
    const e = errorObject(init.body);
    const code = typeof e?.code === "string" ? e.code : `http_${init.status}`;
    const text = typeof e?.message === "string" ? e.message : typeof init.body === "string" && init.body ? init.body.slice(0, 200) : "";
    const requestId = init.requestId ?? (typeof e?.request_id === "string" ? e.request_id : undefined);
    super(`${init.status} ${code}${text ? `: ${text}` : ""}${requestId ? ` (request ${requestId})` : ""}`);
    this.status = init.status;
    this.code = code;
    this.requestId = requestId;
    this.body = init.body;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Server-reported validation issues (only with 400 `invalid_request`). */
  get issues(): ValidationIssue[] {
    const issues = errorObject(this.body)?.issues;
    return Array.isArray(issues) ? (issues as ValidationIssue[]) : [];
  }
}

export class KirinBadRequestError extends KirinApiError { override name = "KirinBadRequestError"; }
export class KirinAuthenticationError extends KirinApiError { override name = "KirinAuthenticationError"; }
export class KirinPermissionDeniedError extends KirinApiError { override name = "KirinPermissionDeniedError"; }
export class KirinNotFoundError extends KirinApiError { override name = "KirinNotFoundError"; }
/** 409: the `external_task_id` already names a task made from a different body. */
export class KirinConflictError extends KirinApiError { override name = "KirinConflictError"; }
export class KirinPayloadTooLargeError extends KirinApiError { override name = "KirinPayloadTooLargeError"; }
export class KirinUnsupportedMediaTypeError extends KirinApiError { override name = "KirinUnsupportedMediaTypeError"; }
export class KirinRateLimitError extends KirinApiError { override name = "KirinRateLimitError"; }
export class KirinInternalServerError extends KirinApiError { override name = "KirinInternalServerError"; }

const byStatus: Record<number, typeof KirinApiError> = {
  400: KirinBadRequestError,
  401: KirinAuthenticationError,
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
 * No answer: DNS, refused or dropped connection, a per-request timeout, or a 2xx body that was not
 * JSON. For a create this means "outcome unknown" - the task may exist.
 */
export class KirinConnectionError extends KirinError {
  override name = "KirinConnectionError";
  readonly timedOut: boolean;
  constructor(message: string, options: { cause?: unknown; timedOut?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
  }
}

/** `validateRequest` found errors; nothing was sent. */
export class KirinValidationError extends KirinError {
  override name = "KirinValidationError";
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], what = "request") {
    const errors = issues.filter((i) => i.severity === "error");
    const first = errors[0] ?? issues[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    super(first ? `Invalid ${what}: ${first.path || "/"}: ${first.message}${more}` : `Invalid ${what}`);
    this.issues = issues;
  }
}

/** Task error codes the contract marks as transient (`x-kirin-error-codes`, retryable: true). */
const RETRYABLE_TASK_CODES = new Set(["006001094"]);

/** The task ended in `failed`. Creating it again may help when `retryable` is true. */
export class KirinTaskFailedError extends KirinError {
  override name = "KirinTaskFailedError";
  readonly task: Task;
  readonly taskId: string;
  readonly code: string;
  readonly errorMessage: string;
  readonly retryable: boolean;
  constructor(task: Task) {
    const code = task.error?.code ?? "unknown";
    const errorMessage = task.error?.error_message ?? "";
    super(`Task ${task.id} failed: ${code}${errorMessage ? ` ${errorMessage}` : ""}`);
    this.task = task;
    this.taskId = task.id;
    this.code = code;
    this.errorMessage = errorMessage;
    this.retryable = RETRYABLE_TASK_CODES.has(code);
  }
}

/** `waitForTask` reached its deadline. Call it again with `taskId` to resume. */
export class KirinTimeoutError extends KirinError {
  override name = "KirinTimeoutError";
  readonly taskId: string;
  /** The last task seen, if any poll succeeded. */
  readonly lastTask: Task | undefined;
  constructor(taskId: string, lastTask: Task | undefined, timeoutMs: number) {
    super(`Task ${taskId} not finished after ${Math.round(timeoutMs / 1000)} s (last status: ${lastTask?.status ?? "unknown"})`);
    this.taskId = taskId;
    this.lastTask = lastTask;
  }
}

function errorObject(body: unknown): Record<string, unknown> | undefined {
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (e && typeof e === "object") return e as Record<string, unknown>;
  }
  return undefined;
}

/**
 * Returns a function that replaces every occurrence of `secret` in a string, or in the strings of
 * a JSON-like value, with "[redacted]". Servers and fetch implementations sometimes echo request
 * headers in messages and bodies; this is how the key stays out of errors built from them.
 */
export function redactor(secret: string): <T>(value: T) => T {
  const scrub = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return secret && v.includes(secret) ? v.split(secret).join("[redacted]") : v;
    if (!v || typeof v !== "object" || depth > 20) return v;
    if (Array.isArray(v)) return v.map((x) => scrub(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[scrub(k, depth + 1) as string] = scrub(x, depth + 1);
    return out;
  };
  return <T>(value: T) => scrub(value, 0) as T;
}
