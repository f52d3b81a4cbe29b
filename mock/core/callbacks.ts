// Delivers task callbacks: one POST per status change, each with a timeout and a few retries with
// backoff. Deliveries wait in one bounded queue and at most `concurrency` run at once, so a burst of
// tasks with a slow receiver costs a fixed amount of memory and sockets; past the bound a delivery
// is dropped and logged. Delivery never blocks a request, and a receiver that keeps failing is only
// logged. Times come from the mock's clock, so tests can step through them.
import type { WireTask } from "../../src/types.js";
import type { MockClock } from "./clock.js";

export interface CallbackOptions {
  timeoutMs: number;
  retries: number;
  /** First backoff; doubled on each retry. */
  backoffMs: number;
  /** Deliveries sent at once. */
  concurrency: number;
  /** Deliveries waiting to be sent; more are dropped. */
  maxQueued: number;
}

export const CALLBACK_DEFAULTS: CallbackOptions = { timeoutMs: 5_000, retries: 3, backoffMs: 1_000, concurrency: 8, maxQueued: 1_000 };

interface Delivery {
  url: string;
  task: WireTask;
  attempt: number;
}

export class CallbackSender {
  private readonly timers = new Map<string, Set<unknown>>();
  private readonly queue: Delivery[] = [];
  private readonly inFlight = new Set<AbortController>();
  private running = 0;
  private closed = false;

  constructor(
    private readonly options: CallbackOptions,
    private readonly clock: MockClock,
    private readonly fetch: typeof globalThis.fetch,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * POSTs `view()`'s answer to `url` after each of `delaysMs`, under `key` (a task id) so that
   * `cancel(key)` can take back what has not been sent yet.
   */
  schedule(key: string, url: string, deliveries: { delayMs: number; view: () => WireTask }[]): void {
    const timers = this.timers.get(key) ?? new Set();
    this.timers.set(key, timers);
    for (const { delayMs, view } of deliveries) {
      const handle = this.clock.setTimeout(() => {
        timers.delete(handle);
        if (timers.size === 0) this.timers.delete(key);
        this.enqueue({ url, task: view(), attempt: 0 });
      }, Math.max(0, delayMs));
      timers.add(handle);
    }
  }

  /** Takes back every delivery of `key` not yet due. */
  cancel(key: string): void {
    for (const handle of this.timers.get(key) ?? []) this.clock.clearTimeout(handle);
    this.timers.delete(key);
  }

  /** Deliveries waiting for a free slot, and running. */
  get pending(): number {
    return this.queue.length + this.running;
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.log(`callback ${delivery.task.status} of ${delivery.task.id} dropped: ${this.options.maxQueued} deliveries already wait`);
      return;
    }
    this.queue.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      this.running++;
      void this.deliver(delivery).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async deliver({ url, task, attempt }: Delivery): Promise<void> {
    const abort = new AbortController();
    // A real timer: the receiver's slowness is measured in real time whatever the mock's clock.
    const timeout = setTimeout(() => abort.abort(), this.options.timeoutMs);
    this.inFlight.add(abort);
    let failure: string;
    try {
      const res = await this.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "kirin-mock-callback" },
        body: JSON.stringify(task),
        signal: abort.signal,
      });
      await res.body?.cancel();
      if (res.ok) return;
      failure = `HTTP ${res.status}`;
    } catch (error) {
      failure = abort.signal.aborted ? `no answer in ${this.options.timeoutMs} ms` : String((error as Error).cause ?? error);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(abort);
    }
    if (this.closed) return;
    if (attempt < this.options.retries) {
      const retry = this.clock.setTimeout(() => {
        this.timers.get("")?.delete(retry);
        this.enqueue({ url, task, attempt: attempt + 1 });
      }, this.options.backoffMs * 2 ** attempt);
      const retries = this.timers.get("") ?? new Set();
      this.timers.set("", retries.add(retry));
    } else {
      this.log(`callback ${task.status} of ${task.id} to ${url} failed after ${attempt + 1} attempts: ${failure}`);
    }
  }

  /** Cancels every pending and running delivery (on shutdown). */
  close(): void {
    this.closed = true;
    for (const key of [...this.timers.keys()]) this.cancel(key);
    this.queue.length = 0;
    for (const abort of this.inFlight) abort.abort();
  }
}
