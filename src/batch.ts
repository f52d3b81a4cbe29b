// runBatch: many videos, a bounded number in flight, resumable, never billed twice.
//
// - Every request is validated (and checked against the journal) before the first create is sent:
//   a bad line 900 must not surface after 899 paid tasks.
// - The number of tasks in flight adapts to the gateway (concurrency.ts): halved on 429 and on the
//   transient 006001094, won back slowly, never above `concurrency`.
// - A 401/402/403 on a create stops all further creates (no credit, or no valid key: every other
//   create would be refused the same way); tasks already made are still followed to their end,
//   and every request not started is reported as such.
// - Billing: the journal (journal.ts) records each create's external_task_id before the create is
//   sent and its task id after. A rerun with the same journal never sends a second create for a
//   request whose create may have reached the server: it follows the task by id, or looks it up by
//   external_task_id - found: follow it; not found: "outcome-unknown" for the caller to decide, or
//   send again only with `resendIfAbsent` (the same opt-in as the client's). Within a run, the
//   client's idempotent create (create.ts) decides the same way after each failure.
// - A task that fails with the retryable 006001094 is created again (after a pause) under a new
//   external_task_id derived from the original (recreate.ts); the old id names the failed task.
// - Results come out as they finish, each a plain object fit for one JSON line.
import type { KirinCoreClient } from "./client.js";
import { adaptiveConcurrency } from "./concurrency.js";
import {
  KirinApiError,
  KirinConnectionError,
  KirinCreateOutcomeUnknownError,
  KirinError,
  type KirinErrorCategory,
  KirinNotFoundError,
  KirinRateLimitError,
  KirinTaskCompletedWithoutOutputError,
  KirinTaskFailedError,
  KirinValidationError,
} from "./errors.js";
import type { RetryEvent } from "./events.js";
import {
  type BatchJournal,
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalFact,
  type KeyState,
  memoryJournal,
  replayJournal,
} from "./journal.js";
import { canonicalJson } from "./json.js";
import { sumDecimals } from "./money.js";
import { pointerOf } from "./pointer.js";
import type { WaitOptions } from "./poll.js";
import type { TaskProgress } from "./progress.js";
import { recreateExternalId } from "./recreate.js";
import { retryDelay, sleep, throwIfAborted } from "./retry.js";
import { taskCost, videoUrls } from "./task.js";
import type { KirinRequest, Task, ValidationIssue } from "./types.js";
import { validateRequest } from "./validate.js";

/** One request of a batch, under the caller's key (unique in the batch, stable across reruns). */
export interface BatchItem {
  key: string;
  request: KirinRequest;
}

/**
 * - `completed`: the task finished (and was downloaded, with `download`); `task`, `cost`, `videoUrls`, `files`.
 * - `failed`: the task failed for good; `task`, and `error.code` (9 digits) with the gateway's words.
 * - `outcome-unknown`: a create may or may not have made a task under `externalTaskId`; nothing was
 *   sent again. Look it up later, or rerun (with `resendIfAbsent` to send it again if not found).
 * - `error`: something else stopped this request at `stage`; `error.category` says what to do.
 *   Nothing was paid twice; a rerun picks it up where it stopped.
 * - `not-started`: no create was sent, because creating had stopped; `error` is the refusal that
 *   stopped it (402: no credit left; 401/403: the key).
 * `completed` and `failed` are final: a rerun with the same journal leaves such a key alone.
 */
export type BatchOutcome = "completed" | "failed" | "outcome-unknown" | "error" | "not-started";

/** An error as plain data. */
export interface BatchErrorInfo {
  name: string;
  category: KirinErrorCategory;
  message: string;
  /** HTTP status of an API error. */
  status?: number;
  /** The server's code, or a failed task's 9-digit code. */
  code?: string;
  /** For a failed task: whether creating it again may help (006001094). */
  retryable?: boolean;
}

/** One request's result: a plain object, one JSON line. */
export interface BatchResult {
  key: string;
  outcome: BatchOutcome;
  /** The external_task_id of the latest create (`...-retry-N` after a re-creation). */
  externalTaskId?: string;
  taskId?: string;
  /** Creates this key has taken: 1, or more after 006001094. */
  attempt?: number;
  task?: Task;
  /** USD, exact decimal string (completed tasks). */
  cost?: string;
  videoUrls?: string[];
  /** Files written by `download`. */
  files?: string[];
  error?: BatchErrorInfo;
  stage?: "create" | "lookup" | "wait" | "download";
}

export type BatchPhase = "creating" | "looking-up" | "waiting" | "downloading" | "pausing";

export type BatchEvent =
  /** A request moved on: it is being created, looked up, followed, downloaded, or pauses before a retry. */
  | { type: "phase"; key: string; phase: BatchPhase; externalTaskId: string; taskId?: string | undefined }
  /** The client retries a request of this key (429, 503, a dropped connection). */
  | { type: "retry"; key: string; retry: RetryEvent }
  /** The concurrency limit changed (`reason`: `429`, `006001094`, `recovered`). */
  | { type: "limit"; limit: number; max: number; reason: string }
  /** The task of `key` failed with 006001094 and will be created again as `externalTaskId`. */
  | { type: "recreate"; key: string; externalTaskId: string; attempt: number; afterMs: number }
  /** No more creates will be sent. */
  | { type: "stopped"; reason: StopReason; message: string };

/** Why no more creates are sent: no credit (402), the key refused (401/403), or the caller stopped the batch. */
export type StopReason = "insufficient-credits" | "account" | "aborted";

export interface BatchOptions {
  /** The most tasks in flight at once (default 8). */
  concurrency?: number;
  /** Where the batch records what it sent (default: in memory, which resumes nothing). */
  journal?: BatchJournal;
  /**
   * After a create whose outcome is unknown, when a look-up by its external_task_id answers 404,
   * send it again (default false: report `outcome-unknown`). See the client's option of the same name.
   */
  resendIfAbsent?: boolean;
  /**
   * Stops the batch cleanly: no new create is sent, creates already sent get their answer (so the
   * journal holds their task ids, not a question) within `stopGraceMs`, and everything else -
   * following tasks, downloads, pauses - stops at once; the iteration then ends without an error
   * (`summary.stopped.reason` is `aborted`). A signal already aborted when the iteration starts
   * throws KirinAbortError before anything is read or sent. Breaking out of the iteration stops
   * everything at once.
   */
  signal?: AbortSignal;
  /** How long creates in flight may take to be answered after `signal` (default 10 s). */
  stopGraceMs?: number;
  /** Creates after a task failed with 006001094 (default 2), and the pause before each (default 15 s). */
  recreateAttempts?: number;
  recreateDelayMs?: number;
  /** Times a request is put back after the client's own retries of a 429 ran out (default 5). */
  rateLimitRequeues?: number;
  /** How each task is followed (waitForTask's deadline and schedule). */
  wait?: Pick<WaitOptions, "timeoutMs" | "minIntervalMs" | "maxIntervalMs" | "schedule" | "progressIntervalMs">;
  /** Saves a completed task's videos; returns the files written (Node: `downloadVideo`). */
  download?: (task: Task, item: BatchItem, signal: AbortSignal) => Promise<string[]>;
  /** The live progress of each task being followed (as waitForTask's onProgress). */
  onProgress?: (key: string, task: Task, progress: TaskProgress) => void;
  onEvent?: (event: BatchEvent) => void;
  /** After a halving, further push-back within this many ms is the same burst (default 1 s). */
  backOffCooldownMs?: number;
}

/** Counts while the batch runs, for a progress display. */
export interface BatchStatus {
  total: number;
  /** Final (completed or failed), this run and earlier ones. */
  finished: number;
  completed: number;
  failed: number;
  /** Results that are not final: errors, outcome unknown, not started. */
  unresolved: number;
  /** Requests holding a slot now, and waiting for one (or for a retry). */
  running: number;
  waiting: number;
  limit: number;
  max: number;
  /** USD of completed tasks so far, earlier runs included. */
  cost: string;
  stopped?: { reason: StopReason; message: string } | undefined;
}

export interface BatchSummary extends BatchStatus {
  /** Requests that had ended in an earlier run (their results came out then). */
  earlier: number;
  failedByCode: Record<string, number>;
  outcomeUnknown: string[];
  errors: string[];
  notStarted: string[];
  /** Keys whose task exists but was not followed to its end (the run was stopped); a rerun follows it. */
  unfinished: string[];
  /** Creates sent in this run, re-sends after a 429 included. */
  creates: number;
}

export interface BatchRun extends AsyncIterable<BatchResult> {
  /** Live counts (also before and after the iteration). */
  readonly status: BatchStatus;
  /** Set once the iteration has ended. */
  readonly summary: BatchSummary | undefined;
}

/** A request the batch will not start, with what is wrong (`index` counts from 0). */
export interface BatchProblem {
  index: number;
  key: string;
  issues: ValidationIssue[];
}

/**
 * Requests of a batch break rules, or do not fit its journal; nothing was sent. `problems` lists
 * them by request; `issues` has them all, each `path` led by the request's index (`/899/duration`).
 */
export class KirinBatchValidationError extends KirinValidationError {
  override name = "KirinBatchValidationError";
  readonly problems: BatchProblem[];
  constructor(problems: BatchProblem[], total: number) {
    super(
      problems.flatMap((p) => p.issues.map((issue) => ({ ...issue, path: pointerOf([p.index]) + issue.path }))),
      "batch",
    );
    this.problems = problems;
    const first = problems[0];
    const issue = first?.issues.find((i) => i.severity === "error");
    this.message =
      `Invalid batch: ${problems.length} of ${total} request${total === 1 ? "" : "s"} cannot be sent, so none was. ` +
      (first && issue
        ? `First: #${first.index + 1} (key ${JSON.stringify(first.key)}) ${issue.path || "/"} ${issue.rule}: ${issue.message}`
        : "");
  }
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_RECREATE_ATTEMPTS = 2;
const DEFAULT_RECREATE_DELAY_MS = 15_000;
const DEFAULT_RATE_LIMIT_REQUEUES = 5;

/** Where a request stands in this run. */
interface Work {
  item: BatchItem;
  index: number;
  hash: string;
  /** create: a create may be sent (nothing that could have made a task is pending); lookup: a create may have reached the server; follow: the task exists. */
  next: "create" | "lookup" | "follow";
  externalTaskId: string;
  attempt: number;
  taskId?: string | undefined;
  task?: Task | undefined;
  requeues: number;
}

type Directive = { again: false } | { again: true; afterMs: number };
const DONE: Directive = { again: false };

/**
 * Runs `items` against `client` and yields each result as it finishes. Throws
 * KirinBatchValidationError before sending anything when a request is invalid; after an abort
 * (`signal`) the iteration ends without results for the requests it cut short - their state is
 * in the journal.
 */
export function runBatch(
  client: KirinCoreClient,
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>,
  options: BatchOptions = {},
): BatchRun {
  const journal = options.journal ?? memoryJournal();
  const max = options.concurrency ?? DEFAULT_CONCURRENCY;
  const recreateAttempts = options.recreateAttempts ?? DEFAULT_RECREATE_ATTEMPTS;
  const recreateDelayMs = options.recreateDelayMs ?? DEFAULT_RECREATE_DELAY_MS;
  const rateLimitRequeues = options.rateLimitRequeues ?? DEFAULT_RATE_LIMIT_REQUEUES;
  const emit = (event: BatchEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's failure is not the batch's.
    }
  };
  const limiter = adaptiveConcurrency({
    max,
    cooldownMs: options.backOffCooldownMs,
    onChange: (limit, reason) => emit({ type: "limit", limit, max, reason }),
  });
  const stops = stopSwitch();

  let total = 0;
  let earlier = 0;
  let waiting = 0;
  let creates = 0;
  let stopped: { reason: StopReason; message: string } | undefined;
  /** The refusal that stopped creating (402, 401, 403): what each request left unstarted reports. */
  let stopCause: BatchErrorInfo | undefined;
  let fatal: unknown;
  /** USD of completed tasks so far, kept as one exact decimal (summed once per result, not per read). */
  let cost = "0";
  const counts = { completed: 0, failed: 0, unresolved: 0 };
  const failedByCode: Record<string, number> = {};
  const lists = { outcomeUnknown: [] as string[], errors: [] as string[], notStarted: [] as string[] };
  const delivered = new Set<string>();
  /** Keys whose create may have been sent, or whose task exists, when the run was cut short. */
  const unfinished = new Set<string>();
  let summary: BatchSummary | undefined;
  let started = false;

  // Results wait here until the consumer takes them.
  const ready: BatchResult[] = [];
  let wake: (() => void) | undefined;
  let outstanding = 0;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const status = (): BatchStatus => ({
    total,
    finished: counts.completed + counts.failed,
    ...counts,
    running: limiter.active,
    waiting: limiter.pending + waiting,
    limit: limiter.limit,
    max,
    cost,
    stopped,
  });

  function tally(result: BatchResult, fromJournal: boolean) {
    if (result.outcome === "completed") {
      counts.completed++;
      if (result.cost !== undefined) cost = sumDecimals([cost, result.cost]);
    } else if (result.outcome === "failed") {
      counts.failed++;
      const code = result.error?.code ?? "unknown";
      failedByCode[code] = (failedByCode[code] ?? 0) + 1;
    } else {
      counts.unresolved++;
      const list =
        result.outcome === "outcome-unknown" ? lists.outcomeUnknown : result.outcome === "not-started" ? lists.notStarted : lists.errors;
      list.push(result.key);
    }
    if (fromJournal) earlier++;
  }

  function deliver(result: BatchResult) {
    delivered.add(result.key);
    tally(result, false);
    ready.push(result);
    notify();
  }

  /** Appends to the journal; a journal that cannot be written stops the whole batch (nothing more may be sent). */
  async function record(entry: JournalFact): Promise<void> {
    try {
      await journal.append({ v: JOURNAL_VERSION, at: new Date().toISOString(), ...entry } as JournalEntry);
    } catch (error) {
      fatal ??= new KirinError(`The journal could not be written, so the batch stopped: ${(error as Error).message}`, { cause: error });
      stops.cut(fatal);
      throw fatal;
    }
  }

  function stop(reason: StopReason, message: string) {
    if (stopped) return;
    stopped = { reason, message };
    emit({ type: "stopped", reason, message });
  }

  const phase = (w: Work, p: BatchPhase) =>
    emit({ type: "phase", key: w.item.key, phase: p, externalTaskId: w.externalTaskId, taskId: w.taskId });
  const base = (w: Work): BatchResult => ({
    key: w.item.key,
    outcome: "error",
    externalTaskId: w.externalTaskId,
    ...(w.taskId !== undefined && { taskId: w.taskId }),
    attempt: w.attempt,
  });
  const errorResult = (w: Work, stage: BatchResult["stage"], error: unknown): BatchResult => ({
    ...base(w),
    outcome: "error",
    stage,
    error: errorInfo(error),
  });

  function notStarted(w: Work) {
    deliver({ ...base(w), outcome: "not-started", ...(stopCause && { error: stopCause }) });
  }

  /** One turn of a request in its slot: create or find its task, follow it, download it. */
  async function step(w: Work, turn: Turn): Promise<Directive> {
    const signal = turn.soft;
    if (signal.aborted) return DONE;
    if (w.next === "lookup") {
      phase(w, "looking-up");
      try {
        const task = await client.getTask(w.externalTaskId, {
          signal,
          onRetry: (retry) => emit({ type: "retry", key: w.item.key, retry }),
        });
        await record({ type: "created", key: w.item.key, external_task_id: w.externalTaskId, task_id: task.id });
        Object.assign(w, { next: "follow", taskId: task.id, task });
      } catch (error) {
        if (signal.aborted) return DONE;
        if (!(error instanceof KirinNotFoundError)) {
          deliver(errorResult(w, "lookup", error));
          return DONE;
        }
        if (!options.resendIfAbsent) {
          const unknown = new KirinCreateOutcomeUnknownError(
            w.externalTaskId,
            "an earlier run stopped after sending its create",
            "a look-up by it answered 404, which the gateway does not document as proof that none was made",
          );
          deliver({ ...base(w), outcome: "outcome-unknown", stage: "lookup", error: errorInfo(unknown) });
          return DONE;
        }
        // The caller opted in: the gateway's 404 is taken as proof that no task was made.
        w.next = "create";
      }
    }
    if (w.next === "create") {
      const created = await create(w, turn);
      if (created !== undefined) return created;
    }
    return follow(w, signal);
  }

  /** Sends the create of `w`; undefined once its task exists, else what to do next. */
  async function create(w: Work, turn: Turn): Promise<Directive | undefined> {
    if (stopped) {
      if (stopped.reason !== "aborted") notStarted(w);
      return DONE;
    }
    // Durable before the create leaves: from here on, a rerun treats this create as possibly sent.
    await record({ type: "start", key: w.item.key, external_task_id: w.externalTaskId, attempt: w.attempt, request_hash: w.hash });
    w.next = "lookup";
    creates++;
    phase(w, "creating");
    let task: Task;
    try {
      task = await client.createTask({ ...w.item.request, external_task_id: w.externalTaskId } as KirinRequest, {
        signal: turn.hard,
        resendIfAbsent: options.resendIfAbsent ?? false,
        onRetry: (retry) => {
          emit({ type: "retry", key: w.item.key, retry });
          if (retry.error instanceof KirinRateLimitError) limiter.backOff("429");
        },
      });
      limiter.succeeded();
    } catch (error) {
      if (turn.hard.aborted) return DONE;
      if (error instanceof KirinTaskFailedError) {
        // Created, and already failed (refused on the spot): a task exists and is followed no further.
        await record({ type: "created", key: w.item.key, external_task_id: w.externalTaskId, task_id: error.task.id });
        Object.assign(w, { next: "follow", taskId: error.task.id, task: error.task });
        return afterFailure(w, error);
      }
      if (error instanceof KirinCreateOutcomeUnknownError) {
        deliver({ ...base(w), outcome: "outcome-unknown", stage: "create", error: errorInfo(error) });
        return DONE;
      }
      if (!madeNothing(error)) {
        // Not an answer the client vouches for: the journal keeps saying "sent", and a rerun looks it up.
        deliver(errorResult(w, "create", error));
        return DONE;
      }
      await record({ type: "unsent", key: w.item.key, external_task_id: w.externalTaskId, reason: (error as Error).message });
      w.next = "create";
      if (error instanceof KirinRateLimitError) {
        limiter.backOff("429");
        if (++w.requeues <= rateLimitRequeues) return { again: true, afterMs: retryDelay(error, w.requeues).delayMs };
      }
      if (error instanceof KirinApiError && error.category === "account") {
        stopCause ??= errorInfo(error);
        stop(error.status === 402 ? "insufficient-credits" : "account", error.message);
        notStarted(w);
        return DONE;
      }
      deliver(errorResult(w, "create", error));
      return DONE;
    }
    await record({ type: "created", key: w.item.key, external_task_id: w.externalTaskId, task_id: task.id });
    Object.assign(w, { next: "follow", taskId: task.id, task });
    // Stopped while this create was in flight: its task id is on record, and a rerun follows it.
    return turn.soft.aborted ? DONE : undefined;
  }

  /** Follows the task of `w` to its end and downloads it. */
  async function follow(w: Work, signal: AbortSignal): Promise<Directive> {
    phase(w, "waiting");
    let task: Task;
    try {
      task = await client.waitForTask(w.taskId!, {
        ...options.wait,
        signal,
        ...(w.task && { initialTask: w.task }),
        onRetry: (retry) => emit({ type: "retry", key: w.item.key, retry }),
        ...(options.onProgress && { onProgress: (t: Task, p: TaskProgress) => options.onProgress!(w.item.key, t, p) }),
      });
    } catch (error) {
      if (signal.aborted) return DONE;
      if (error instanceof KirinTaskFailedError) return afterFailure(w, error);
      deliver(errorResult(w, "wait", error));
      return DONE;
    }
    let files: string[] | undefined;
    if (options.download) {
      phase(w, "downloading");
      try {
        files = await options.download(task, w.item, signal);
      } catch (error) {
        if (signal.aborted) return DONE;
        deliver(errorResult(w, "download", error));
        return DONE;
      }
    }
    const spent = taskCost(task);
    const result: BatchResult = {
      ...base(w),
      outcome: "completed",
      taskId: task.id,
      task,
      ...(spent !== undefined && { cost: spent }),
      videoUrls: videoUrls(task),
      ...(files && { files }),
    };
    await record({ type: "end", key: w.item.key, result });
    deliver(result);
    return DONE;
  }

  /**
   * A failed task: created again under a new id when the code says it may pass later, else final.
   * Not a task that completed without a video: it may have been billed, so making another is the
   * caller's decision (the result says `retryable`), not the runner's.
   */
  async function afterFailure(w: Work, error: KirinTaskFailedError): Promise<Directive> {
    if (error.retryable && !(error instanceof KirinTaskCompletedWithoutOutputError) && w.attempt <= recreateAttempts) {
      // No capacity is the gateway pushing back; another retryable failure says nothing of its load.
      if (error.code === "006001094") limiter.backOff(error.code);
      if (stopped) {
        // The failed task stays the journal's last word: a rerun sees it fail and creates it again.
        if (stopped.reason !== "aborted") notStarted(w);
        return DONE;
      }
      const attempt = w.attempt + 1;
      const externalTaskId = recreateExternalId(w.externalTaskId, attempt);
      Object.assign(w, { next: "create", attempt, externalTaskId, taskId: undefined, task: undefined, requeues: 0 });
      emit({ type: "recreate", key: w.item.key, externalTaskId, attempt, afterMs: recreateDelayMs });
      return { again: true, afterMs: recreateDelayMs };
    }
    const result: BatchResult = {
      ...base(w),
      outcome: "failed",
      task: error.task,
      error: errorInfo(error),
    };
    await record({ type: "end", key: w.item.key, result });
    deliver(result);
    return DONE;
  }

  /** Queues `w` for a slot; after `afterMs` when it has to wait first. */
  function submit(w: Work, afterMs = 0) {
    outstanding++;
    void (async () => {
      try {
        if (afterMs > 0) {
          waiting++;
          phase(w, "pausing");
          const turn = stops.turn();
          try {
            await sleep(afterMs, turn.soft);
          } finally {
            turn.done();
            waiting--;
          }
        }
        const directive = await limiter.run(async () => {
          const turn = stops.turn();
          try {
            return await step(w, turn);
          } finally {
            turn.done();
          }
        });
        if (stops.stopping && !delivered.has(w.item.key) && w.next !== "create") unfinished.add(w.item.key);
        else if (directive.again && !stops.stopping) submit(w, directive.afterMs);
      } catch (error) {
        if (!stops.stopping) {
          fatal ??= error;
          stops.cut(error);
        }
      } finally {
        outstanding--;
        notify();
      }
    })();
  }

  async function* iterate(): AsyncGenerator<BatchResult> {
    if (started) throw new KirinError("runBatch: a batch run can be iterated only once");
    started = true;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      stop("aborted", "the batch was stopped");
      stops.stop(options.signal!.reason);
      grace = setTimeout(() => stops.cut(options.signal!.reason), options.stopGraceMs ?? 10_000);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let complete = false;
    try {
      throwIfAborted(options.signal);
      const works = await prepare(items, journal, (result) => tally(result, true));
      total = works.total;
      // Tasks already paid for go first: following them costs nothing new.
      const order = { follow: 0, lookup: 1, create: 2 } as const;
      for (const w of [...works.pending].sort((a, b) => order[a.next] - order[b.next] || a.index - b.index)) submit(w);
      for (;;) {
        while (ready.length > 0) yield ready.shift()!;
        if (outstanding === 0 || fatal) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (fatal) throw fatal;
      complete = true;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      if (!complete) {
        stop("aborted", "the batch was stopped");
        stops.cut(new DOMException("The batch was stopped", "AbortError"));
        while (outstanding > 0) await new Promise<void>((resolve) => (wake = resolve));
      }
      clearTimeout(grace);
      summary = {
        ...status(),
        earlier,
        failedByCode: { ...failedByCode },
        ...lists,
        unfinished: [...unfinished],
        creates,
      };
    }
  }

  return {
    [Symbol.asyncIterator]: () => iterate(),
    get status() {
      return status();
    },
    get summary() {
      return summary;
    },
  };
}

/** The signals of one turn of a request: `soft` stops following, `hard` also cuts its create. */
interface Turn {
  soft: AbortSignal;
  hard: AbortSignal;
  /** The turn ended: its signals are no longer told. */
  done(): void;
}

/**
 * The batch's two ways to stop: `stop` ends everything but the creates in flight (they get their
 * answer, so the journal holds task ids rather than questions), `cut` ends those too (the journal
 * then says "sent", and a rerun looks them up). Each turn of a request gets its own pair of
 * signals, told by this switch: listeners of every request on one shared signal would pass Node's
 * limit of 10 per EventTarget, and warn, at any real concurrency.
 */
function stopSwitch() {
  const live = new Set<{ soft: AbortController; hard: AbortController }>();
  let stopped: { reason: unknown } | undefined;
  let cut: { reason: unknown } | undefined;
  return {
    get stopping() {
      return stopped !== undefined;
    },
    stop(reason: unknown) {
      if (stopped) return;
      stopped = { reason };
      for (const turn of live) turn.soft.abort(reason);
    },
    cut(reason: unknown) {
      if (cut) return;
      stopped ??= { reason };
      cut = { reason };
      for (const turn of live) {
        turn.soft.abort(reason);
        turn.hard.abort(reason);
      }
    },
    turn(): Turn {
      const turn = { soft: new AbortController(), hard: new AbortController() };
      if (stopped) turn.soft.abort(stopped.reason);
      if (cut) turn.hard.abort(cut.reason);
      live.add(turn);
      return { soft: turn.soft.signal, hard: turn.hard.signal, done: () => live.delete(turn) };
    },
  };
}

/** Whether a create's error proves that no task was made: what create.ts throws only after a refusal. */
function madeNothing(error: unknown): boolean {
  if (error instanceof KirinValidationError) return true; // never sent
  if (error instanceof KirinConnectionError) return !error.mayHaveReachedServer;
  return error instanceof KirinApiError;
}

function errorInfo(error: unknown): BatchErrorInfo {
  if (error instanceof KirinTaskFailedError) {
    return { name: error.name, category: error.category, message: error.message, code: error.code, retryable: error.retryable };
  }
  if (error instanceof KirinApiError) {
    return { name: error.name, category: error.category, message: error.message, status: error.status, code: error.code };
  }
  if (error instanceof KirinError) return { name: error.name, category: error.category, message: error.message };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, category: "retry-later", message: e.message };
}

/**
 * What stops each request of a batch from being sent, before anything is: a missing or repeated
 * key, an external_task_id used twice, a request that breaks a rule (warnings do not stop it).
 * `runBatch` checks this (and the journal) first; `kirin validate jobs.jsonl` shows it.
 */
export function validateBatch(items: readonly BatchItem[]): BatchProblem[] {
  const problems: BatchProblem[] = [];
  const seenKeys = new Set<string>();
  const seenIds = new Map<string, string>();
  items.forEach((item, index) => {
    const issues: ValidationIssue[] = [];
    const problem = (path: string, rule: string, message: string) => issues.push({ path, rule, message, severity: "error" });
    const key = (item as Partial<BatchItem> | null)?.key;
    if (typeof key !== "string" || key === "") {
      problem(
        "/key",
        "batch-key",
        `Every request needs a key: a non-empty string (got ${key === undefined ? "none" : JSON.stringify(key)}).`,
      );
    } else if (seenKeys.has(key)) {
      problem(
        "/key",
        "batch-duplicate-key",
        `The key ${JSON.stringify(key)} is used by an earlier request; keys name requests across reruns, so each must be unique.`,
      );
    } else seenKeys.add(key);
    const request = (item as Partial<BatchItem> | null)?.request;
    for (const issue of validateRequest(request).issues) if (issue.severity === "error") issues.push(issue);
    const ownId = (request as { external_task_id?: unknown } | undefined)?.external_task_id;
    if (typeof ownId === "string") {
      const other = seenIds.get(ownId);
      if (other !== undefined) {
        problem(
          "/external_task_id",
          "batch-duplicate-external-id",
          `external_task_id ${JSON.stringify(ownId)} is also the one of key ${JSON.stringify(other)}: one id names one task.`,
        );
      } else seenIds.set(ownId, String(key));
    }
    if (issues.length > 0) problems.push({ index, key: String(key), issues });
  });
  return problems;
}

/**
 * Reads every item, validates every request and checks it against the journal, all before
 * anything is sent. Returns the work left to do; results the journal already holds as final are
 * counted through `earlier`.
 */
async function prepare(
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>,
  journal: BatchJournal,
  earlier: (result: BatchResult) => void,
): Promise<{ total: number; pending: Work[] }> {
  const list: BatchItem[] = [];
  for await (const item of items as AsyncIterable<BatchItem>) list.push(item);
  const problems = validateBatch(list);
  const states = replayJournal(journal.entries);
  const pending: Work[] = [];
  const finals: BatchResult[] = [];
  const bad = new Set(problems.map((p) => p.index));
  for (const [index, item] of list.entries()) {
    if (bad.has(index)) continue;
    const hash = await requestHash(item.request);
    const state = states.get(item.key);
    if (state && state.requestHash !== hash && state.phase !== "unsent") {
      const message =
        `The request of key ${JSON.stringify(item.key)} changed since its create was sent (external_task_id ` +
        `${state.externalTaskId}); restore it, or give the changed request a new key.`;
      problems.push({ index, key: item.key, issues: [{ path: "", rule: "batch-changed-since-sent", message, severity: "error" }] });
      continue;
    }
    if (state?.phase === "ended" && state.result) finals.push(state.result);
    else pending.push(workFor(item, index, hash, state?.requestHash === hash ? state : undefined));
  }
  if (problems.length > 0)
    throw new KirinBatchValidationError(
      problems.sort((a, b) => a.index - b.index),
      list.length,
    );
  for (const result of finals) earlier(result);
  return { total: list.length, pending };
}

function workFor(item: BatchItem, index: number, hash: string, state: KeyState | undefined): Work {
  const fresh = { item, index, hash, requeues: 0 };
  if (!state) {
    return { ...fresh, next: "create", externalTaskId: item.request.external_task_id ?? newExternalId(item.key), attempt: 1 };
  }
  const next = state.phase === "created" ? "follow" : state.phase === "sent" ? "lookup" : "create";
  return { ...fresh, next, externalTaskId: state.externalTaskId, attempt: state.attempt, taskId: state.taskId };
}

/** A fresh external_task_id that shows its key: `<key>-<uuid>` (the key cut to fit, odd characters replaced). */
function newExternalId(key: string): string {
  const uuid =
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
  return `${key.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100)}-${uuid}`;
}

/** SHA-256 of the request's canonical JSON (keys sorted), hex: what the journal keeps of a request. */
export async function requestHash(request: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(request));
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
