// How many tasks a batch keeps in flight, adapting to the gateway the way TCP adapts to a network:
// halve when the gateway pushes back (429, or a task failing with the transient "resource
// insufficient" 006001094), then win one slot back per full round of creates that went through
// without push-back, never above the maximum the caller set. A burst of 429s answers requests that
// all left before the first one came back, so it is one signal: after a halving, further push-back
// within `cooldownMs` changes nothing.
//
// The queue and the slots themselves are p-limit's (its `concurrency` can be changed while tasks
// run: a lower limit lets running tasks finish and starts no new ones until they fit under it).
// This module only decides the number.
import pLimit, { type LimitFunction } from "p-limit";

export interface AdaptiveConcurrencyOptions {
  /** The most tasks in flight at once; the limit starts here and never goes above it. */
  max: number;
  /** After a halving, further push-back within this many ms is the same burst (default 1 s). */
  cooldownMs?: number;
  /** Called whenever the limit changes. */
  onChange?: (limit: number, reason: string) => void;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

export interface AdaptiveConcurrency {
  /** Runs `fn` once a slot is free; the slot is held until its promise settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The current limit (1 to max). */
  readonly limit: number;
  readonly max: number;
  /** Functions running now, and waiting for a slot. */
  readonly active: number;
  readonly pending: number;
  /** The gateway pushed back (`reason`: `429`, `006001094`): halve, unless within the cooldown. */
  backOff(reason: string): void;
  /** A create went through without push-back: after `limit` of them in a row, one slot more. */
  succeeded(): void;
}

export function adaptiveConcurrency(options: AdaptiveConcurrencyOptions): AdaptiveConcurrency {
  const { max, onChange } = options;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number of at least 1, not ${max}`);
  const cooldownMs = options.cooldownMs ?? 1_000;
  const now = options.now ?? Date.now;
  const limiter: LimitFunction = pLimit(max);
  let lastBackOff = -Infinity;
  let streak = 0;

  const set = (limit: number, reason: string) => {
    if (limit === limiter.concurrency) return;
    limiter.concurrency = limit;
    onChange?.(limit, reason);
  };

  return {
    run: (fn) => limiter(fn),
    get limit() {
      return limiter.concurrency;
    },
    max,
    get active() {
      return limiter.activeCount;
    },
    get pending() {
      return limiter.pendingCount;
    },
    backOff(reason) {
      streak = 0;
      const t = now();
      if (t - lastBackOff < cooldownMs) return;
      lastBackOff = t;
      set(Math.max(1, Math.floor(limiter.concurrency / 2)), reason);
    },
    succeeded() {
      if (limiter.concurrency >= max) return;
      // Additive increase: one slot per full round at the current limit, so the way back from 1 to
      // 32 takes about 500 creates rather than 32.
      if (++streak < limiter.concurrency) return;
      streak = 0;
      set(limiter.concurrency + 1, "recovered");
    },
  };
}
