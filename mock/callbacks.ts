// Delivers task callbacks: one POST per status change, each with a timeout and a few retries with
// backoff. Delivery never blocks a request, and a receiver that keeps failing is only logged.
import type { WireTask } from "../src/types.js";

export interface CallbackOptions {
  timeoutMs: number;
  retries: number;
  /** First backoff; doubled on each retry. */
  backoffMs: number;
  log: (line: string) => void;
}

export class CallbackSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: CallbackOptions) {}

  /** Calls `view()` at each of `atMs` (ms from now) and POSTs what it returns to `url`. */
  schedule(url: string, atMs: number[], view: () => WireTask): void {
    for (const delay of atMs) this.later(Math.max(0, delay), () => void this.deliver(url, view(), 0));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private async deliver(url: string, task: WireTask, attempt: number): Promise<void> {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), this.options.timeoutMs);
    this.inFlight.add(abort);
    let failure: string;
    try {
      const res = await fetch(url, {
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
    if (attempt < this.options.retries) {
      this.later(this.options.backoffMs * 2 ** attempt, () => void this.deliver(url, task, attempt + 1));
    } else {
      this.options.log(`callback ${task.status} of ${task.id} to ${url} failed after ${attempt + 1} attempts: ${failure}`);
    }
  }

  /** Cancels every pending and running delivery (on shutdown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abort of this.inFlight) abort.abort();
  }
}
