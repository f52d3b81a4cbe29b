// Delivers task callbacks: one POST per status change, each with a timeout and a few retries with
// backoff. Delivery never blocks a request, and a receiver that keeps failing is only logged.
//
// Bounded, so that receivers that never answer cannot take the mock down: at most `concurrency`
// deliveries run at once, and at most `maxPending` are outstanding - scheduled, queued, running or
// waiting to retry. Past that the core refuses creates that ask for callbacks (503, see `hasRoom`)
// until deliveries finish: back-pressure on whoever sends them. Times come from the mock's clock,
// so tests can step through them. How a POST is made (`post`) and which addresses are refused
// (`refusal`) are the adapter's: the Node server connects through a DNS guard, a browser uses fetch.
import type { WireTask } from "../../src/types.js";
import type { MockClock } from "./clock.js";

export interface CallbackOptions {
  /** Longest wait for a receiver's answer, per attempt. */
  timeoutMs: number;
  retries: number;
  /** First backoff; doubled on each retry. */
  backoffMs: number;
  /** Deliveries running at once. */
  concurrency: number;
  /** Deliveries outstanding at once (scheduled, queued, running, waiting to retry). */
  maxPending: number;
}

export const CALLBACK_DEFAULTS: CallbackOptions = { timeoutMs: 5_000, retries: 3, backoffMs: 1_000, concurrency: 8, maxPending: 1_000 };

/** Why a delivery failed; `final` when trying again cannot help (a refused address). */
export type CallbackFailure = { reason: string; final?: boolean };

/** One POST of `body` to `url`: undefined for a 2xx answer, else why not. */
export type CallbackPost = (url: string, body: string, timeoutMs: number) => Promise<CallbackFailure | undefined>;

/** Why the mock will not deliver to `url` at all, or undefined. */
export type CallbackPolicy = (url: string) => string | undefined;

/** A POST with fetch, for adapters that have no socket of their own (a browser, a test runner). */
export function fetchPost(fetch: typeof globalThis.fetch): CallbackPost {
  return async (url, body, timeoutMs) => {
    const abort = new AbortController();
    // A real timer: the receiver's slowness is measured in real time whatever the mock's clock.
    const timeout = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "kirin-mock-callback" },
        body,
        signal: abort.signal,
      });
      await res.body?.cancel();
      return res.ok ? undefined : { reason: `HTTP ${res.status}` };
    } catch (error) {
      return { reason: abort.signal.aborted ? `no answer in ${timeoutMs} ms` : String((error as Error).cause ?? error) };
    } finally {
      clearTimeout(timeout);
    }
  };
}

/** A URL as logs show it: no user name or password, every query value masked (`?token=` is a secret too). */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(not a URL)";
  }
  parsed.username = "";
  parsed.password = "";
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, "***");
  return parsed.href;
}

interface Delivery {
  url: string;
  task: WireTask;
  attempt: number;
}

export class CallbackSender {
  /** Timers of deliveries not yet due, by key (a task id), so that they can be taken back. */
  private readonly timers = new Map<string, Set<unknown>>();
  /** Timers of retries, taken back only on close. */
  private readonly retryTimers = new Set<unknown>();
  private readonly queue: Delivery[] = [];
  private pending = 0;
  private running = 0;
  private closed = false;

  constructor(
    private readonly options: CallbackOptions,
    private readonly clock: MockClock,
    private readonly post: CallbackPost,
    readonly refusal: CallbackPolicy,
    private readonly log: (line: string) => void,
  ) {}

  /** Deliveries outstanding and running now, for tests and logs. */
  get load(): { pending: number; running: number; queued: number } {
    return { pending: this.pending, running: this.running, queued: this.queue.length };
  }

  /** Whether `count` more deliveries fit under `maxPending`; a create that asks for more gets 503. */
  hasRoom(count: number): boolean {
    return this.pending + count <= this.options.maxPending;
  }

  /**
   * POSTs `view()`'s answer to `url` after each of `delaysMs`, under `key` (a task id) so that
   * `cancel(key)` can take back what has not been sent yet.
   */
  schedule(key: string, url: string, deliveries: { delayMs: number; view: () => WireTask }[]): void {
    if (this.closed) return;
    const timers = this.timers.get(key) ?? new Set();
    this.timers.set(key, timers);
    this.pending += deliveries.length;
    for (const { delayMs, view } of deliveries) {
      const handle = this.clock.setTimeout(
        () => {
          timers.delete(handle);
          if (timers.size === 0) this.timers.delete(key);
          this.enqueue({ url, task: view(), attempt: 0 });
        },
        Math.max(0, delayMs),
      );
      timers.add(handle);
    }
  }

  /** Takes back every delivery of `key` not yet due. */
  cancel(key: string): void {
    const timers = this.timers.get(key);
    if (!timers) return;
    for (const handle of timers) this.clock.clearTimeout(handle);
    this.pending -= timers.size;
    this.timers.delete(key);
  }

  /** Cancels every pending and running delivery (on shutdown). */
  close(): void {
    this.closed = true;
    for (const key of [...this.timers.keys()]) this.cancel(key);
    for (const handle of this.retryTimers) this.clock.clearTimeout(handle);
    this.retryTimers.clear();
    this.queue.length = 0;
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return;
    this.queue.push(delivery);
    this.pump();
  }

  /** Starts queued deliveries while fewer than `concurrency` run. */
  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      this.running++;
      void this.deliver(delivery).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const refused = this.refusal(delivery.url);
    const failure = refused
      ? { reason: refused, final: true }
      : await this.post(delivery.url, JSON.stringify(delivery.task), this.options.timeoutMs);
    if (this.closed) return;
    if (failure && !failure.final && delivery.attempt < this.options.retries) {
      const retry = this.clock.setTimeout(
        () => {
          this.retryTimers.delete(retry);
          this.enqueue({ ...delivery, attempt: delivery.attempt + 1 });
        },
        this.options.backoffMs * 2 ** delivery.attempt,
      );
      this.retryTimers.add(retry);
      return;
    }
    this.pending--;
    if (failure) {
      const { status, id } = delivery.task;
      const outcome = failure.final ? "refused" : `failed after ${delivery.attempt + 1} attempts`;
      this.log(`callback ${status} of ${id} to ${safeUrl(delivery.url)} ${outcome}: ${failure.reason}`);
    }
  }
}
