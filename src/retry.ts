// The one retry policy of the library - which failures are worth another try, how long to wait -
// and the waiting itself. The client, its idempotent create, the poller, batches and downloads all
// decide here; no other module tests a status or an error for "worth another try".
// Everything here cleans up after itself: a wait that is aborted clears its timer and its abort
// listener at once, so neither a test's fake clock nor a real event loop is kept busy by a call
// that already ended.
import { KirinAbortError, KirinApiError, KirinConnectionError, type KirinError } from "./errors.js";
import type { Operation, RetryEvent } from "./events.js";

/** Longest server-requested wait we honour; a larger `Retry-After` is cut to this. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;

/**
 * Statuses worth another try: timeout, rate limit, server trouble. Not 409: a conflict on an
 * `external_task_id` is there to stay, and sending again cannot change it.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A failure of a read (a status request, a look-up) that is worth waiting out. */
export function isTransient(error: unknown): boolean {
  if (error instanceof KirinConnectionError) return true;
  return error instanceof KirinApiError && isRetryableStatus(error.status);
}

/**
 * A create failure that proves the server made nothing, so sending the create again cannot bill
 * twice: the request never left (refused, host not found, TLS failed), or the server refused it
 * before doing any work (408 it did not read it whole, 429 rate limit, 503 unavailable).
 */
export function createMadeNothing(error: unknown): boolean {
  if (error instanceof KirinConnectionError) return !error.mayHaveReachedServer;
  return error instanceof KirinApiError && (error.status === 408 || error.status === 429 || error.status === 503);
}

/**
 * A create failure after which the task may exist: a 5xx other than 503, a connection that broke
 * or timed out once the request may have been sent, a 2xx that could not be read.
 */
export function createOutcomeUnknown(error: unknown): boolean {
  if (createMadeNothing(error)) return false;
  if (error instanceof KirinConnectionError) return true;
  return error instanceof KirinApiError && error.status >= 500;
}

/** How long to wait before retry number `attempt` (1-based): the server's Retry-After, or backoff. */
export function retryDelay(error: unknown, attempt: number): { delayMs: number; fromRetryAfter: boolean } {
  const retryAfter = error instanceof KirinApiError ? error.retryAfterMs : undefined;
  return retryAfter !== undefined ? { delayMs: retryAfter, fromRetryAfter: true } : { delayMs: backoffMs(attempt), fromRetryAfter: false };
}

/**
 * The next try of `operation` after `error`, as the event that announces it: `attempt` is the try
 * about to be made (2 for the first retry; a create's look-up starts at 1), and the wait is the
 * server's Retry-After or the backoff for the tries of this operation that failed before it.
 */
export function retryEvent(operation: Operation, attempt: number, error: unknown): RetryEvent {
  const { delayMs, fromRetryAfter } = retryDelay(error, Math.max(1, attempt - 1));
  return { operation, attempt, reason: retryReason(error), delayMs, fromRetryAfter, error: error as KirinError };
}

/** Why a request is retried, for events and logs: the status, or `network` with the system's code. */
function retryReason(error: unknown): string {
  if (error instanceof KirinApiError) return String(error.status);
  if (error instanceof KirinConnectionError) return error.timedOut ? "timeout" : `network${error.code ? ` ${error.code}` : ""}`;
  return "error";
}

/**
 * `Retry-After` as milliseconds: delta-seconds ("2", "1.5") or an HTTP date. Capped at
 * MAX_RETRY_AFTER_MS so a misconfigured server cannot park a caller for hours; a date in the
 * past means "now". Anything unparsable is ignored (undefined), letting backoff decide.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    // Only something shaped like an HTTP date: Date.parse also takes "-3" or "7 8" as years.
    const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/**
 * Delay before retry number `attempt` (1-based): 0.5 s doubling to 8 s, each cut by up to 25% at
 * random so that clients failing together do not come back together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return base * (1 - 0.25 * random());
}

/**
 * What a call ends with once `signal` has aborted: KirinAbortError with the signal's reason as its
 * cause (a reason that already is one is passed on as it is).
 */
export function abortError(signal: AbortSignal): KirinAbortError {
  const reason: unknown = signal.reason ?? new DOMException("This operation was aborted", "AbortError");
  return reason instanceof KirinAbortError ? reason : new KirinAbortError(reason);
}

/** Throws abortError(signal) when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Resolves after `ms`; rejects at once (timer cleared) with KirinAbortError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A child AbortSignal that follows `parent` and also fires after `timeoutMs` (if given). Always
 * call `done()` when the work ends: it clears the timer and unhooks from the parent, so a
 * long-lived parent signal does not collect one listener per request.
 */
export function childSignal(parent: AbortSignal | undefined, timeoutMs?: number) {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(parent!.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs !== undefined && Number.isFinite(timeoutMs)
      ? setTimeout(
          () => {
            timedOut = true;
            controller.abort(new DOMException("The operation timed out", "TimeoutError"));
          },
          Math.max(0, timeoutMs),
        )
      : undefined;
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done() {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
