// The create that is never billed twice.
//
// The invariant: a second create for the same request is sent only when an answer proved that the
// first one made nothing - the request never left (connection refused, host not found), or the
// server refused it before doing any work (408, 429, 503) - or when the caller opted in.
//
// After an unclear failure (a 5xx other than 503, a connection that broke or timed out once the
// request may have been sent, an unreadable 2xx) the task may exist and cost money. The client then
// looks it up by the `external_task_id` it sent: a task there is the answer. If the look-up does not
// find it, the create is NOT sent again: the gateway does not document what it answers to a look-up
// by `external_task_id`, nor that it refuses a repeated one, so a 404 proves nothing.
// KirinCreateOutcomeUnknownError carries the id for the caller to decide. `resendIfAbsent: true`
// is the opt-in: it takes the gateway's 404 as proof that no task was made, and sends again.
//
// An abort ends the create with KirinAbortError and sends nothing more. Cut off once a request of
// it may have reached the server (and before a look-up settled that), the error names the
// `externalTaskId` to look for the task by, as KirinCreateOutcomeUnknownError does.

import { KirinAbortError, KirinCreateOutcomeUnknownError, KirinNotFoundError, KirinTaskFailedError } from "./errors.js";
import type { Operation, RetryEvent } from "./events.js";
import { createMadeNothing, createOutcomeUnknown, isTransient, retryEvent, sleep, throwIfAborted } from "./retry.js";
import type { Transport } from "./transport.js";
import type { CreateTaskRequest, Task } from "./types.js";
import type { TaskContext } from "./wire.js";

export interface CreateOnceOptions {
  /** Further requests this create may make after its first: re-sends and look-ups together. */
  retries: number;
  /** Send again after a look-up by external_task_id answered 404 (see the module comment). */
  resendIfAbsent: boolean;
  signal?: AbortSignal | undefined;
  onRetry: (event: RetryEvent) => void;
}

export async function createOnce(
  transport: Transport,
  envelope: CreateTaskRequest,
  context: TaskContext,
  externalTaskId: string,
  options: CreateOnceOptions,
): Promise<Task> {
  const { signal } = options;
  let retriesLeft = options.retries;
  const attempts: Record<Operation, number> = { create: 0, lookup: 0, get: 0, poll: 0 };
  /** Whether a create that went out may have made a task nobody has accounted for yet. */
  let mayExist = false;

  /** Waits before the next request of `operation`, after `error`; false when the budget is spent. */
  async function retry(operation: Operation, error: unknown): Promise<boolean> {
    throwIfAborted(signal);
    if (retriesLeft <= 0) return false;
    retriesLeft--;
    const next = retryEvent(operation, attempts[operation] + 1, error);
    options.onRetry(next);
    await sleep(next.delayMs, signal);
    return true;
  }

  /** The task the unclear attempt may have made, or undefined when the caller opted in to send again. */
  async function lookUp(cause: unknown): Promise<Task | undefined> {
    let last = cause;
    for (;;) {
      if (!(await retry("lookup", last))) {
        throw new KirinCreateOutcomeUnknownError(
          externalTaskId,
          cause,
          last === cause ? undefined : `the look-up failed too: ${(last as Error).message}`,
        );
      }
      try {
        return await transport.getTask(externalTaskId, "lookup", ++attempts.lookup, signal, context);
      } catch (error) {
        throwIfAborted(signal);
        if (error instanceof KirinNotFoundError) {
          if (options.resendIfAbsent) return undefined;
          throw new KirinCreateOutcomeUnknownError(
            externalTaskId,
            cause,
            "a look-up by it answered 404, which the gateway does not document as proof that none was made",
          );
        }
        if (!isTransient(error)) {
          throw new KirinCreateOutcomeUnknownError(externalTaskId, cause, `the look-up failed: ${(error as Error).message}`);
        }
        last = error;
      }
    }
  }

  async function send(): Promise<Task> {
    for (;;) {
      let failure: unknown;
      try {
        throwIfAborted(signal);
        mayExist = true;
        return settled(await transport.create(envelope, context, ++attempts.create, signal));
      } catch (error) {
        throwIfAborted(signal);
        if (error instanceof KirinTaskFailedError) throw error;
        failure = error;
      }
      if (createMadeNothing(failure)) {
        mayExist = false;
        if (await retry("create", failure)) continue;
        throw failure;
      }
      // A refusal that is not about load (400, 402, 409, 413, a 200 without a task) stays a refusal.
      if (!createOutcomeUnknown(failure)) throw failure;
      const found = await lookUp(failure);
      if (found) return settled(found);
      // The caller opted in and the gateway says it has no such task: sending again is the choice made.
      mayExist = false;
      if (!(await retry("create", failure))) throw new KirinCreateOutcomeUnknownError(externalTaskId, failure);
    }
  }

  try {
    return await send();
  } catch (error) {
    // Cut off while a task it sent for may exist: the abort says under which id to look for it.
    if (error instanceof KirinAbortError && mayExist) throw new KirinAbortError(error.cause, { externalTaskId });
    throw error;
  }
}

/** A create answered with a task that already failed (a moderation refusal, say) ends here. */
function settled(task: Task): Task {
  if (task.status === "failed") throw new KirinTaskFailedError(task);
  return task;
}
