// The one reader of what the gateway sends. Its answers vary around the documented form (the
// contract's `WireTask`, `ErrorBody` and `CreateTaskAnswer` list the known variants): status words
// from several eras, `model` left out, `created_at` in seconds, resources without `type`, durations
// and costs as strings or numbers, error codes as integers, error text under four names, errors in
// five envelopes. Everything that comes off the wire - a create's answer, a poll's, a callback's,
// an HTTP error's body - passes through here once, and the rest of the library only ever sees the
// documented form. No other module branches on a wire variant.
//
// The reader is tolerant: a field it cannot read is dropped, never guessed, and fields it does not
// know are kept as they came. It refuses only what is not a task at all (no `id`, no `status`, or
// nested deeper than any task is). What it hands out is a copy without prototype keys (json.ts),
// so merging a task into anything cannot reach a prototype.
import { MAX_DEPTH, plainJson } from "./json.js";
import type { Task, ValidationIssue } from "./types.js";

/** The four documented statuses. */
export type KnownStatus = "pending" | "processing" | "completed" | "failed";

// A Map, not an object: a status word such as "constructor" or "__proto__" must find nothing,
// not a property every object inherits.
const STATUS_SYNONYMS = new Map<string, KnownStatus>(
  Object.entries({
    pending: "pending",
    queued: "pending",
    in_queue: "pending",
    waiting: "pending",
    submitted: "pending",
    created: "pending",
    processing: "processing",
    in_progress: "processing",
    running: "processing",
    started: "processing",
    generating: "processing",
    completed: "completed",
    complete: "completed",
    success: "completed",
    succeeded: "completed",
    succeed: "completed",
    done: "completed",
    finished: "completed",
    // Cancelled is final too; reporting it as a failure beats polling it until the deadline.
    failed: "failed",
    failure: "failed",
    fail: "failed",
    error: "failed",
    errored: "failed",
    cancelled: "failed",
    canceled: "failed",
  } satisfies Record<string, KnownStatus>),
);

/** The documented status a gateway status word means, or undefined for one nobody has documented. */
export function taskStatusOf(status: unknown): KnownStatus | undefined {
  return typeof status === "string" ? STATUS_SYNONYMS.get(status.trim().toLowerCase()) : undefined;
}

/** What the reader knows that the answer may not say: the model the request named. */
export interface TaskContext {
  model?: string | undefined;
}

export type TaskReading = { task: Task; issues?: undefined } | { task?: undefined; issues: ValidationIssue[] };

/**
 * Reads any task body the gateway may send (a create's or a poll's answer, a callback) into the
 * documented Task. Refuses only a body that is not a task: not an object, without `id` or `status`,
 * or nested more than MAX_DEPTH levels deep.
 */
export function readTask(value: unknown, context: TaskContext = {}): TaskReading {
  let tooDeep: string | undefined;
  const body = plainJson(value, (pointer) => {
    tooDeep ??= pointer;
    return undefined;
  });
  if (tooDeep !== undefined) {
    return { issues: [issue(tooDeep, "max-depth", `is nested more than ${MAX_DEPTH} levels deep; no task is`)] };
  }
  if (!isRecord(body)) return { issues: [issue("", "task-object", `is not a task object (got ${kindOf(body)})`)] };
  const id = readId(body.id);
  const rawStatus = typeof body.status === "string" ? body.status.trim() : "";
  const issues: ValidationIssue[] = [];
  if (id === undefined) issues.push(issue("/id", "task-id", `is required: a non-empty string (got ${kindOf(body.id)})`));
  if (!rawStatus) issues.push(issue("/status", "task-status", `is required: a non-empty string (got ${kindOf(body.status)})`));
  if (id === undefined || !rawStatus) return { issues };

  // The body's fields as they came, each one the reader interprets replaced by its reading or dropped.
  const task: Record<string, unknown> = { ...body };
  task.id = id;
  task.status = taskStatusOf(rawStatus) ?? rawStatus;
  put(task, "model", nonEmpty(body.model) ?? context.model);
  put(task, "progress", readProgress(body.progress));
  put(task, "created_at", readTimestampMs(body.created_at));
  put(task, "external_task_id", nonEmpty(body.external_task_id));
  put(task, "output", readOutput(body.output));
  put(task, "usage", readUsage(body.usage));
  // A failed task always says why in the documented form, if only that nobody said.
  put(task, "error", readTaskError(body.error) ?? (task.status === "failed" ? { code: "unknown" } : undefined));
  put(task, "metadata", isRecord(body.metadata) ? body.metadata : undefined);
  return { task: task as Task };
}

/**
 * A task error code in the seeds' form: a string, 9 digits where the code is numeric. The gateway
 * sends `006001094` as the integer `6001094`; the leading zeros it lost are put back.
 */
export function errorCodeOf(code: unknown): string | undefined {
  if (typeof code === "number" && Number.isSafeInteger(code) && code >= 0) return String(code).padStart(9, "0");
  // A fraction or a negative number is no code anyone documents: not read as one.
  if (typeof code !== "string" || code.trim() === "") return undefined;
  const text = code.trim();
  return /^\d{1,8}$/.test(text) ? text.padStart(9, "0") : text;
}

/** A cost as the exact decimal string (`"0.35"`), from a string, a number or `""` (no cost). */
export function costOf(cost: unknown): string | undefined {
  if (typeof cost === "number" && Number.isFinite(cost) && cost >= 0) return decimal(cost);
  if (typeof cost !== "string") return undefined;
  const text = cost.trim();
  return /^\d+(\.\d+)?$/.test(text) ? text : undefined;
}

/** What an HTTP error body says, from whichever envelope it came in. */
export interface ServerError {
  /** The server's machine code, as a string (`"rate_limited"`, `"1002"`, `"40201"`). */
  code?: string | undefined;
  /** The server's own words. */
  message?: string | undefined;
  requestId?: string | undefined;
}

/**
 * Reads an error body the way the gateway's own clients do: `error.error_message`, then
 * `error.message`, `error` as a string, `message`, `status.message` (and `detail`); a text body
 * (an HTML page from a proxy, say) gives its title or its first words.
 */
export function readErrorBody(body: unknown): ServerError {
  if (typeof body === "string") return { message: textOf(body) };
  if (!isRecord(body)) return {};
  const error = body.error;
  const status = isRecord(body.status) ? body.status : undefined;
  const inner = isRecord(error) ? error : undefined;
  const message =
    nonEmpty(inner?.error_message) ??
    nonEmpty(inner?.message) ??
    nonEmpty(error) ??
    nonEmpty(body.message) ??
    nonEmpty(status?.message) ??
    nonEmpty(body.detail) ??
    nonEmpty(body.error_message);
  const code = codeText(inner?.code) ?? codeText(status?.error_code) ?? codeText(body.code) ?? codeText(status?.code);
  const requestId = nonEmpty(inner?.request_id) ?? nonEmpty(body.request_id);
  return { ...(code !== undefined && { code }), ...(message !== undefined && { message }), ...(requestId !== undefined && { requestId }) };
}

/**
 * An HTTP error body as errors keep it (`KirinApiError.body`): a copy without prototype keys, cut
 * off where it nests deeper than any error envelope does, so that rendering the error
 * (JSON.stringify, a logger) cannot overflow the stack.
 */
export function readErrorValue(body: unknown): unknown {
  return plainJson(body, () => `[nested more than ${MAX_DEPTH} levels deep]`);
}

/** A 2xx answer: the task, a refusal in words (with the status a status wrapper names), or neither. */
export type AnswerReading =
  | { task: Task; refusal?: undefined; issues?: undefined }
  | { task?: undefined; refusal: ServerError & { status?: number | undefined }; issues?: undefined }
  | { task?: undefined; refusal?: undefined; issues: ValidationIssue[] };

/**
 * Reads a 2xx answer that should hold a task (a create's, a poll's). The gateway also answers 200
 * with an error and no task - a create it refused - sometimes in its status wrapper, whose
 * `status.code` is then the real status. Anything else that is not a task is `issues`.
 */
export function readAnswer(body: unknown, context: TaskContext = {}): AnswerReading {
  const reading = readTask(body, context);
  if (reading.task) return { task: reading.task };
  if (isRecord(body) && body.id === undefined) {
    const words = readErrorBody(body);
    const code = isRecord(body.status) ? body.status.code : undefined;
    const status = typeof code === "number" && code >= 400 && code <= 599 ? code : undefined;
    if (words.message !== undefined) return { refusal: { ...words, ...(status !== undefined && { status }) } };
  }
  return { issues: reading.issues ?? [] };
}

// ---- fields ------------------------------------------------------------------------------------

function readId(id: unknown): string | undefined {
  if (typeof id === "number" && Number.isSafeInteger(id)) return String(id);
  return nonEmpty(id);
}

/** 0 to 1. A value above 1 (up to 100) is a percentage; a numeric string is read as its number. */
function readProgress(value: unknown): number | undefined {
  const n = numberOf(value);
  if (n === undefined || n < 0 || n > 100) return undefined;
  return n > 1 ? n / 100 : n;
}

/**
 * Unix milliseconds, from milliseconds or seconds (the gateway sends both) or an ISO date. Below
 * 10^11 a number is seconds: as milliseconds it would be a moment in 1973; as seconds, 10^11 is
 * the year 5138.
 */
function readTimestampMs(value: unknown): number | undefined {
  if (typeof value === "string" && value.trim() !== "" && !/^\d+(\.\d+)?$/.test(value.trim())) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : at;
  }
  const n = numberOf(value);
  if (n === undefined || n < 0) return undefined;
  return Math.round(n < 1e11 ? n * 1000 : n);
}

function readOutput(value: unknown): Task["output"] {
  const items = Array.isArray(value) ? value : isRecord(value) ? [value] : undefined;
  if (!items) return undefined;
  const outputs = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const list = Array.isArray(item.content) ? item.content : isRecord(item.content) ? [item.content] : [];
    const content = list.map(readContent).filter((c) => c !== undefined);
    outputs.push({ ...item, content });
  }
  return outputs as Task["output"];
}

function readContent(value: unknown) {
  if (!isRecord(value)) return undefined;
  const url = nonEmpty(value.url);
  if (url === undefined) return undefined;
  const content: Record<string, unknown> = { ...value };
  put(content, "type", nonEmpty(value.type));
  content.url = url;
  const duration = numberOf(value.duration);
  put(content, "duration", duration !== undefined && duration >= 0 ? duration : undefined);
  put(content, "jobId", nonEmpty(value.jobId));
  return content;
}

function readUsage(value: unknown): Task["usage"] {
  if (!isRecord(value)) return undefined;
  const usage: Record<string, unknown> = { ...value };
  put(usage, "cost", costOf(value.cost));
  put(usage, "discount", numberOf(value.discount));
  return usage as Task["usage"];
}

function readTaskError(value: unknown): Task["error"] {
  if (value === undefined || value === null || value === "") return undefined;
  if (!isRecord(value)) {
    const code = typeof value === "number" ? errorCodeOf(value) : undefined;
    // As text: String() of a list would call its items' toString, which a body can set to a string.
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return code !== undefined ? withOriginal({ code }, value) : { code: "unknown", error_message: text };
  }
  const { message: _read, ...error }: Record<string, unknown> = value;
  error.code = errorCodeOf(value.code) ?? "unknown";
  put(error, "error_message", nonEmpty(value.error_message) ?? nonEmpty(value.message));
  return withOriginal(error as NonNullable<Task["error"]>, value.code);
}

/** Keeps the code exactly as sent when reading changed it (`6001094` -> `"006001094"`). */
function withOriginal(error: NonNullable<Task["error"]>, sent: unknown): NonNullable<Task["error"]> {
  const code = typeof sent === "string" || (typeof sent === "number" && Number.isSafeInteger(sent)) ? sent : undefined;
  if (code !== undefined && code !== error.code) error.original_code = code;
  return error;
}

// ---- values ------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** A finite number, or a numeric string's number (`"5.041"`). */
function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

function codeText(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return nonEmpty(value)?.trim();
}

/** A number as a plain decimal string, never in exponent notation (`1e-7` -> `"0.0000001"`). */
function decimal(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/\.?0+$/, "");
}

/** The first words of a text body: an HTML page's title, or its text without tags. */
function textOf(body: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();
  return text ? (text.length > 200 ? `${text.slice(0, 197)}...` : text) : undefined;
}

/** Sets `key` to the reading of a field, or drops the field when it could not be read. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.trim() === "" ? "an empty string" : "a string";
  return value === undefined ? "nothing" : `a ${typeof value}`;
}

function issue(path: string, rule: string, message: string): ValidationIssue {
  return { path, rule, message, severity: "error" };
}
