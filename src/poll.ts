// waitForTask: follow a task to its end without hanging and without wasting requests.
// - The wait always ends: `completed` returns, `failed` throws KirinTaskFailedError, the deadline
//   throws KirinTimeoutError (with the last task, to resume), an abort throws KirinAbortError at
//   once, and a 401/403/404 (which no amount of waiting fixes) throws the API error.
// - A status this client does not know counts as still running, never as an end.
// - Transient trouble (connection errors, 408/429/5xx) is waited out with backoff or the server's
//   Retry-After, under the same deadline.
// - Nothing outlives the call: every timer is cleared and every request aborted before it settles.
// - With `onProgress`, a UI gets a steady stream between polls (from the same reading of progress
//   the schedule uses, src/progress.ts) without one request more: the sleep between polls is cut
//   into ticks. Without `onProgress` there are no ticks and no extra timers.
import { keepAnswer, retryAfterOf } from "./answer.js";
import { KirinAbortError, KirinTaskCompletedWithoutOutputError, KirinTaskFailedError, KirinTimeoutError } from "./errors.js";
import type { RetryEvent } from "./events.js";
import { createProgressTracker, readProgress, type TaskProgress } from "./progress.js";
import { abortError, childSignal, isTransient, retryEvent, sleep, throwIfAborted } from "./retry.js";
import { adaptiveSchedule, type PollObservation, type Schedule, type ScheduleOptions } from "./schedule.js";
import { hasOutputUrl, normalizeTask } from "./task.js";
import type { Task } from "./types.js";
import { taskStatusOf } from "./wire.js";

export interface WaitOptions extends ScheduleOptions {
  signal?: AbortSignal;
  /** Hard deadline for the whole wait, in ms (default 15 minutes). */
  timeoutMs?: number;
  /**
   * Called on every observed change of status or progress (also for the final task), and every
   * `progressIntervalMs` between polls with the latest task and a fresh `progress`: an estimate
   * that moves smoothly, never goes back and reaches 1 only on completion, an ETA, the server's
   * latest value and the phase (queued, running, finalizing). Ticks cost no requests.
   */
  onProgress?: (task: Task, progress: TaskProgress) => void;
  /** How often onProgress ticks between polls (default 250 ms, at least 200 ms). */
  progressIntervalMs?: number;
  /** Replace the adaptive schedule: return the ms to wait before the next poll. */
  schedule?: Schedule;
  /**
   * The task as last seen (e.g. just created): taken as the first poll's answer, saving a request.
   * Its `model` also stands in for answers that leave `model` out, as the gateway's often do.
   */
  initialTask?: Task;
  /** Called before each status request that follows a failed one (operation `poll`). */
  onRetry?: (event: RetryEvent) => void;
}

/** What waitForTask passes to `getTask` with each status request. */
export interface PollRequestOptions {
  /** Aborts when the caller's signal does or the deadline passes. */
  signal: AbortSignal;
  /** Always 0: waitForTask waits out a failed poll itself, under its deadline. */
  retries: number;
  /** Always `poll`: a client that reports its requests (KirinClient's hooks and logs) names them so. */
  operation: "poll";
  /** 1 for a poll's first request, 2 for the one after it failed, and so on. */
  attempt: number;
}

/**
 * What waitForTask needs from a client: `getTask` alone - a KirinClient, or a fake such as
 * `{ getTask: async (id) => task }`. Each status request is one call
 * `getTask(taskId, { signal, retries: 0, operation: "poll", attempt })`; a client may ignore every
 * option but should honour `signal`. An error the retry policy calls transient (isTransient:
 * KirinConnectionError, a KirinApiError with 408, 429 or 5xx) is waited out - its `retryAfterMs`,
 * else backoff - and any other error ends the wait. The server's Retry-After on a task's answer
 * (`retryAfterOf(task)`, set by KirinClient) makes the next poll wait at least that long.
 */
export interface PollableClient {
  getTask(id: string, options: PollRequestOptions): Promise<Task>;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
/** How long before the deadline the last poll goes out. */
const LAST_POLL_LEAD_MS = 1_000;
/** Tasks older than this are not taken as the origin: a wrong clock should not skip fast polls. */
const MAX_ORIGIN_AGE_MS = 24 * 3_600_000;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;
/** A bar needs no more than a few updates a second. */
const MIN_PROGRESS_INTERVAL_MS = 200;

export async function waitForTask(client: PollableClient, taskId: string, options: WaitOptions = {}): Promise<Task> {
  const { signal, onProgress, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const schedule: Schedule = options.schedule ?? ((state) => adaptiveSchedule(state, options));
  throwIfAborted(signal);
  const started = Date.now();
  // One signal for the whole wait: it follows the caller's and fires at the deadline, so a request
  // in flight at the deadline is cut off rather than outliving it.
  const wait = childSignal(signal, timeoutMs);
  const poll = (attempt: number) => client.getTask(taskId, { signal: wait.signal, retries: 0, operation: "poll", attempt });
  const model = options.initialTask?.model;

  let origin = started;
  let originIsCreation = false;
  const history: PollObservation[] = [];
  const tracker = onProgress && createProgressTracker(() => origin);
  const tickMs = Math.max(MIN_PROGRESS_INTERVAL_MS, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  /** Reports the latest task with the progress as of now. */
  const report = (task: Task) => onProgress?.(task, tracker!.at(readProgress(history, originIsCreation), task, Date.now()));
  let last: Task | undefined;
  let lastKey = "";
  let failures = 0;
  let seen = options.initialTask;
  try {
    for (;;) {
      let delay: number;
      try {
        const raw = seen ?? (await poll(failures + 1));
        const retryAfterMs = seen ? undefined : retryAfterOf(raw);
        seen = undefined;
        const task = normalizeTask(raw, { model });
        keepAnswer(raw, task);
        failures = 0;
        if (history.length === 0 && typeof task.created_at === "number") {
          // Measure run time from creation when the task says when that was (and it is plausible).
          const age = started - task.created_at;
          if (age >= 0 && age < MAX_ORIGIN_AGE_MS) {
            origin = task.created_at;
            originIsCreation = true;
          }
        }
        last = task;
        const now = Date.now();
        const status = taskStatusOf(task.status);
        history.push({ atMs: now - origin, task });
        const key = `${task.status}|${task.progress ?? ""}`;
        if (key !== lastKey) {
          lastKey = key;
          report(task);
        }
        if (status === "completed" && !hasOutputUrl(task)) throw new KirinTaskCompletedWithoutOutputError(task);
        if (status === "completed") return task;
        if (status === "failed") throw new KirinTaskFailedError(task);
        delay = Math.max(schedule({ elapsedMs: now - origin, history, originIsCreation }), retryAfterMs ?? 0);
      } catch (error) {
        if (wait.signal.aborted) throw error;
        if (!isTransient(error)) throw error;
        failures++;
        const next = retryEvent("poll", failures + 1, error);
        delay = next.delayMs;
        options.onRetry?.(next);
      }
      // A wait that would run past the deadline is cut so that one last poll lands just before it:
      // a task that finished meanwhile is returned instead of reported as timed out.
      const untilLastPoll = started + timeoutMs - Date.now() - LAST_POLL_LEAD_MS;
      if (untilLastPoll > 0) delay = Math.min(delay, untilLastPoll);
      if (last && onProgress) await sleepTicking(delay, tickMs, wait.signal, () => report(last!));
      else await sleep(delay, wait.signal);
    }
  } catch (error) {
    if (wait.timedOut() && !signal?.aborted) throw new KirinTimeoutError(taskId, last, timeoutMs);
    // Whatever the client rejected with once the caller aborted (a fake may reject with the bare
    // reason), the wait ends as every aborted call does.
    if (signal?.aborted) throw error instanceof KirinAbortError ? error : abortError(signal);
    throw error;
  } finally {
    wait.done();
  }
}

/** Sleeps `ms` in ticks of at most `tickMs`, calling `onTick` after each one that leaves time to sleep. */
async function sleepTicking(ms: number, tickMs: number, signal: AbortSignal, onTick: () => void): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await sleep(Math.min(tickMs, end - Date.now()), signal);
    // Under a millisecond left: timers cannot wait that long, and a fake clock would not move.
    if (end - Date.now() < 1) return;
    onTick();
  }
}
