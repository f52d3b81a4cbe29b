// The mock's sense of time. Every task state is a function of `now()`, and every callback waits on
// `setTimeout`, so a test can run the mock faster than real time or step it by hand.

export interface MockClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Real time, `speed` times faster (tasks of 6 s finish in 60 ms at speed 100). Reads Date.now and
 * the global timers at each call, so a test runner's fake timers drive it too.
 */
export function systemClock(speed = 1): MockClock {
  const origin = Date.now();
  return {
    now: () => (speed === 1 ? Date.now() : origin + (Date.now() - origin) * speed),
    setTimeout: (run, ms) => globalThis.setTimeout(run, Math.max(0, ms / speed)),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** A clock that moves only when told: `advance(ms)` runs every timer that falls due, in order. */
export interface ManualClock extends MockClock {
  advance(ms: number): void;
}

export function manualClock(start = 0): ManualClock {
  let now = start;
  let next = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimeout(run, ms) {
      const id = ++next;
      timers.set(id, { at: now + Math.max(0, ms), run });
      return id;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: [number, { at: number; run: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].run();
      }
      now = until;
    },
  };
}
