// waitForTask: follow a task to its end without hanging and without wasting requests.
// - The wait always ends: `completed` returns, `failed` throws KirinTaskFailedError, the deadline
//   throws KirinTimeoutError (with the last task, to resume), abort rejects at once, and a
//   401/403/404 (which no amount of waiting fixes) throws the API error.
// - A status this client does not know counts as still running, never as an end.
// - Transient trouble (connection errors, 408/429/5xx) is waited out with backoff or the server's
//   Retry-After, under the same deadline.
// - Nothing outlives the call: every timer is cleared and every request aborted before it settles.
import { KirinApiError, KirinConnectionError, KirinTaskFailedError, KirinTimeoutError } from "./errors.js";
import { backoffMs, childSignal, isRetryableStatus, sleep } from "./retry.js";
import { adaptiveSchedule, type PollObservation, type Schedule, type ScheduleOptions } from "./schedule.js";
import { normalizeTask } from "./task.js";
import { taskStatusOf } from "./wire.js";
import type { Task } from "./types.js";
import { KirinTaskCompletedWithoutOutputError } from "./errors.js";
import { hasOutputUrl } from "./task.js";

export interface WaitOptions extends ScheduleOptions {
  signal?: AbortSignal;
  /** Hard deadline for the whole wait, in ms (default 15 minutes). */
  timeoutMs?: number;
  /** Called on every observed change of status or progress (also for the final task). */
  onProgress?: (task: Task) => void;
  /** Replace the adaptive schedule: return the ms to wait before the next poll. */
  schedule?: Schedule;
  /** The task as last seen (e.g. just created): taken as the first poll's answer, saving a request. */
  initialTask?: Task;
}

/** One poll's answer: the task and the server's Retry-After, if it sent one. */
export interface PollResult {
  task: Task;
  retryAfterMs?: number | undefined;
}

/** What waitForTask needs from a client: `getTask`, and optionally a Retry-After-aware poll. */
export interface PollableClient {
  getTask(id: string, options?: { signal?: AbortSignal; retries?: number }): Promise<Task>;
  [pollOnce]?: (id: string, signal: AbortSignal) => Promise<PollResult>;
}

/** The client's single-attempt poll that also reports Retry-After; a symbol keeps it off the API. */
export const pollOnce: unique symbol = Symbol("kirin.pollOnce");

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
/** How long before the deadline the last poll goes out. */
const LAST_POLL_LEAD_MS = 1_000;
/** Tasks older than this are not taken as the origin: a wrong clock should not skip fast polls. */
const MAX_ORIGIN_AGE_MS = 24 * 3_600_000;

export async function waitForTask(client: PollableClient, taskId: string, options: WaitOptions = {}): Promise<Task> {
  const { signal, onProgress, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const schedule: Schedule = options.schedule ?? ((state) => adaptiveSchedule(state, options));
  signal?.throwIfAborted();
  const started = Date.now();
  // One signal for the whole wait: it follows the caller's and fires at the deadline, so a request
  // in flight at the deadline is cut off rather than outliving it.
  const wait = childSignal(signal, timeoutMs);
  const poll: (signal: AbortSignal) => Promise<PollResult> =
    client[pollOnce]?.bind(client, taskId) ?? (async (s) => ({ task: await client.getTask(taskId, { signal: s, retries: 0 }) }));

  let origin = started;
  const history: PollObservation[] = [];
  let last: Task | undefined;
  let lastKey = "";
  let failures = 0;
  let seen = options.initialTask;
  try {
    for (;;) {
      let delay: number;
      try {
        const { task: raw, retryAfterMs } = seen ? { task: seen, retryAfterMs: undefined } : await poll(wait.signal);
        seen = undefined;
        const task = normalizeTask(raw);
        failures = 0;
        if (history.length === 0 && typeof task.created_at === "number") {
          // Measure run time from creation when the task says when that was (and it is plausible).
          const age = started - task.created_at;
          if (age > 0 && age < MAX_ORIGIN_AGE_MS) origin = task.created_at;
        }
        last = task;
        const key = `${task.status}|${task.progress ?? ""}`;
        if (key !== lastKey) {
          lastKey = key;
          onProgress?.(task);
        }
        const status = taskStatusOf(task.status);
        if (status === "completed" && !hasOutputUrl(task)) throw new KirinTaskCompletedWithoutOutputError(task);
        if (status === "completed") return task;
        if (status === "failed") throw new KirinTaskFailedError(task);
        const now = Date.now();
        history.push({ atMs: now - origin, task });
        delay = Math.max(schedule({ elapsedMs: now - origin, history }), retryAfterMs ?? 0);
      } catch (error) {
        if (wait.signal.aborted) throw error;
        if (!isTransient(error)) throw error;
        failures++;
        delay = (error instanceof KirinApiError ? error.retryAfterMs : undefined) ?? backoffMs(failures);
      }
      // A wait that would run past the deadline is cut so that one last poll lands just before it:
      // a task that finished meanwhile is returned instead of reported as timed out.
      const untilLastPoll = started + timeoutMs - Date.now() - LAST_POLL_LEAD_MS;
      if (untilLastPoll > 0) delay = Math.min(delay, untilLastPoll);
      await sleep(delay, wait.signal);
    }
  } catch (error) {
    if (wait.timedOut() && !signal?.aborted) throw new KirinTimeoutError(taskId, last, timeoutMs);
    throw error;
  } finally {
    wait.done();
  }
}

/** Worth waiting out: no answer, or an answer that says "later". */
function isTransient(error: unknown): boolean {
  if (error instanceof KirinConnectionError) return true;
  return error instanceof KirinApiError && isRetryableStatus(error.status);
}
