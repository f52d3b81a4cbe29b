// Polling schedules compared on simulated tasks: requests per task and the lag between a task's
// completion and its detection. Runs the real waitForTask (and so the real adaptive schedule) on a
// virtual clock - this process replaces Date.now/setTimeout with a discrete-event clock, so ten
// minutes of polling take microseconds and every run with the same seed prints the same table.
//
// The simulated tasks copy what real progress does (issue 11): a rate that is off
// from the truth, values held at 0.99 until the end, queue time with progress 0 (or `pending`)
// before the run, no progress at all; and, outside the goals, steps, values that go backwards or
// vanish, and progress that never leaves 0.
import { waitForTask } from "../../src/poll.js";
import type { TaskProgress } from "../../src/progress.js";
import type { Schedule } from "../../src/schedule.js";
import type { Task } from "../../src/types.js";

const N = Number(process.env.POLL_BENCH_TASKS ?? 2000);
const SEED = Number(process.env.POLL_BENCH_SEED ?? 42);
/** POLL_BENCH_TRACE=n prints what the first n tasks of each row answered, and when. */
const TRACE = Number(process.env.POLL_BENCH_TRACE ?? 0);

// ---- virtual clock --------------------------------------------------------------------------
const realSetImmediate = setImmediate;
let now = 1_763_786_400_000;
let nextTimer = 1;
const timers = new Map<number, { at: number; fn: () => void }>();
Date.now = () => now;
globalThis.setTimeout = ((fn: () => void, ms = 0) => {
  const id = nextTimer++;
  timers.set(id, { at: now + Math.max(0, ms), fn });
  return id;
}) as unknown as typeof setTimeout;
globalThis.clearTimeout = ((id: number) => void timers.delete(id)) as typeof clearTimeout;

/** Runs `promise` to its end, jumping the clock to the next timer whenever nothing else can run. */
async function run<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await new Promise((r) => realSetImmediate(r));
    if (settled) break;
    let next: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) if (!next || entry[1].at < next[1].at) next = entry;
    if (!next) throw new Error("deadlock: no timer pending and the wait has not ended");
    timers.delete(next[0]);
    now = next[1].at;
    next[1].fn();
  }
  return promise;
}

// ---- simulated tasks ------------------------------------------------------------------------
function rng(seed: number) {
  // mulberry32: small, seedable, good enough for a simulation.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEGMENTS = 10;
const uniform = (random: () => number, lo: number, hi: number) => lo + random() * (hi - lo);
/** Reported the way gateways report it: floored to 0.01, held at 0.99 until the task is completed. */
const report = (p: number) => Math.min(0.99, Math.floor(Math.max(0, p) * 100 + 1e-9) / 100);

/**
 * The true progress (0 at the run's start, 1 at its end) as the server reports it: the whole run's
 * rate is off by `factor` (so progress at completion is `factor`: below 1 the task finishes early,
 * above 1 progress reaches 0.99 early and sits there), and each tenth of the run wanders +/-`wander`
 * around that rate.
 */
function progressCurve(random: () => number, factor: number, wander: number) {
  const noisy = Array.from({ length: SEGMENTS }, () => 1 + uniform(random, -wander, wander));
  const mean = noisy.reduce((a, b) => a + b, 0) / SEGMENTS;
  const rates = noisy.map((r) => (r / mean) * factor);
  return (x: number) => {
    let p = 0;
    for (let i = 0; i < SEGMENTS; i++) p += Math.min(Math.max(0, x - i / SEGMENTS), 1 / SEGMENTS) * rates[i]!;
    return p;
  };
}

/** What the server answers `t` ms after creation, for a task that completes at `durationMs`. */
type Answer = (t: number) => Pick<Task, "status" | "progress">;

interface Family {
  name: string;
  /** What was simulated, printed above the table. */
  about: string;
  make(durationMs: number, random: () => number, index: number): Answer;
}

const running = (progress?: number): Pick<Task, "status" | "progress"> =>
  progress === undefined ? { status: "processing" } : { status: "processing", progress };

const exact: Family = {
  name: "(a) exact",
  about: "progress = elapsed / duration, floored to 0.01, held at 0.99 until done",
  make: (d) => (t) => running(report(t / d)),
};

const noisy: Family = {
  name: "(b) noisy",
  about:
    "rate off by a factor uniform in 0.85-1.15 for the whole run, each tenth wandering +/-15% more, not rescaled:\n" +
    "   the task finishes when progress says 0.85-0.99, or progress sits at 0.99 for up to 13% of the run",
  make: (d, random) => {
    const curve = progressCurve(random, uniform(random, 0.85, 1.15), 0.15);
    return (t) => running(report(curve(t / d)));
  },
};

const queued: Family = {
  name: "(c) queue time",
  about:
    "queue of 5-40% of the task, then the run with (b)'s noisy progress; odd tasks answer `processing`\n" +
    "   with progress 0 during the queue (the gateway's in_progress), even ones `pending` without progress (the docs)",
  make: (d, random, index) => {
    const queue = uniform(random, 0.05, 0.4) * d;
    const curve = progressCurve(random, uniform(random, 0.85, 1.15), 0.15);
    return (t) => {
      if (t < queue) return index % 2 ? running(0) : { status: "pending" };
      return running(report(curve((t - queue) / (d - queue))));
    };
  },
};

const blind: Family = {
  name: "(d) no progress",
  about: "`processing` without a progress field until done",
  make: () => () => running(),
};

const steps: Family = {
  name: "steps 0/0.5/1",
  about: "progress 0 for the first half, 0.5 for the second, then completed",
  make: (d) => (t) => running(t < d / 2 ? 0 : 0.5),
};

const erratic: Family = {
  name: "back/vanishing",
  about: "(c)'s tasks, but each answer has a 15% chance to lack progress and a 15% chance to report up to 0.3 less",
  make: (d, random, index) => {
    const answer = queued.make(d, random, index);
    return (t) => {
      const a = answer(t);
      const r = random();
      if (r < 0.15) return { status: a.status };
      if (r < 0.3 && typeof a.progress === "number") return { ...a, progress: report(a.progress - uniform(random, 0, 0.3)) };
      return a;
    };
  },
};

const stuck: Family = {
  name: "stuck at 0",
  about: "progress 0 until done (a server that never updates it: the cap is all that bounds the lag)",
  make: () => () => running(0),
};

function simulatedClient(answer: Answer, durationMs: number) {
  const start = now;
  const at: number[] = [];
  const log: string[] = [];
  const client = {
    async getTask(id: string): Promise<Task> {
      const t = now - start;
      at.push(t);
      if (t >= durationMs) {
        return {
          id,
          model: "kirin_v3_i2v",
          status: "completed",
          created_at: start,
          output: [{ content: [{ type: "video", url: "https://cdn.example/v.mp4" }] }],
        };
      }
      const a = answer(t);
      if (TRACE) log.push(`${(t / 1000).toFixed(0)}s:${a.status}${a.progress === undefined ? "" : `@${a.progress}`}`);
      return { id, model: "kirin_v3_i2v", created_at: start, ...a } as Task;
    },
  };
  return { client, at, start, log };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** The default cap on one wait: half the time since creation, at least 30 s. */
const capAt = (elapsedMs: number) => Math.max(30_000, elapsedMs / 2);

interface Stats {
  mean: number;
  lag50: number;
  lag95: number;
  share50: number;
  share95: number;
  /** The longest single wait as a share of the cap at its start (<= 1 when the cap holds). */
  worstWait: number;
  /** Progress-stream faults seen (estimate going back, or 1 before completion). */
  streamFaults: number;
}

async function simulate(family: Family, schedule: Schedule | undefined, n: number, watchStream: number): Promise<Stats> {
  const requests: number[] = [];
  const lags: number[] = [];
  const shares: number[] = [];
  let worstWait = 0;
  let streamFaults = 0;
  for (let i = 0; i < n; i++) {
    // One stream per task: every schedule meets the same tasks, however many answers each asks for.
    const random = rng(SEED * 1_000_003 + i);
    const duration = uniform(random, 20_000, 600_000);
    const sim = simulatedClient(family.make(duration, random, i), duration);
    let shown = 0;
    const onProgress = (task: Task, progress: TaskProgress) => {
      if (progress.estimate < shown || (progress.estimate >= 1 && task.status !== "completed")) streamFaults++;
      shown = progress.estimate;
    };
    const watch = i < watchStream ? { onProgress, progressIntervalMs: 1_000 } : {};
    await run(waitForTask(sim.client, "task", { timeoutMs: 3_600_000, ...(schedule ? { schedule } : {}), ...watch }));
    const lag = now - sim.start - duration;
    requests.push(sim.at.length);
    lags.push(lag);
    shares.push(lag / duration);
    // 1 ms of slack: the virtual clock's epoch-sized floats round sub-millisecond.
    for (let k = 1; k < sim.at.length; k++) worstWait = Math.max(worstWait, (sim.at[k]! - sim.at[k - 1]! - 1) / capAt(sim.at[k - 1]!));
    if (i < TRACE && !schedule) console.log(`  ${family.name}, ${(duration / 1000).toFixed(0)} s: ${sim.log.join(" ")}`);
    if (timers.size) throw new Error(`${family.name}: ${timers.size} timer(s) left after the wait`);
  }
  const mean = requests.reduce((a, b) => a + b, 0) / n;
  return {
    mean,
    lag50: quantile(lags, 0.5),
    lag95: quantile(lags, 0.95),
    share50: quantile(shares, 0.5),
    share95: quantile(shares, 0.95),
    worstWait,
    streamFaults,
  };
}

/** Tasks per row that also run with onProgress (ticking each simulated second) to check the stream. */
const WATCHED = Math.min(N, 200);
const fixed5: Schedule = () => 5_000;
const pad = (s: string, w: number) => s.padEnd(w);
const row = (name: string, r: Stats) =>
  `${pad(name, 18)} ${r.mean.toFixed(1).padStart(8)}  ${(r.lag50 / 1000).toFixed(2).padStart(7)} s ${(r.lag95 / 1000).toFixed(2).padStart(7)} s  ${(r.share50 * 100).toFixed(1).padStart(6)} % ${(r.share95 * 100).toFixed(1).padStart(6)} %`;
const header = `${pad("", 18)} ${"req/task".padStart(8)}  ${"lag p50".padStart(9)} ${"lag p95".padStart(9)}  ${"p50 %dur".padStart(8)} ${"p95 %dur".padStart(8)}`;

console.log(
  `${N} simulated tasks per row (seed ${SEED}), durations uniform in 20 s .. 10 min; every row and schedule meets the same tasks`,
);
console.log(`lag = detection time - completion time; %dur = lag / the task's duration (creation to completion)`);
console.log(`virtual clock: the figures depend on the seed only, not on the machine (this one: Node ${process.version})`);
const results = new Map<Family, { adaptive: Stats; fixed: Stats }>();
const all: [Family, Stats][] = [];
for (const [title, families] of [
  ["The four families", [exact, noisy, queued, blind]],
  ["Harder, outside the goals", [steps, erratic, stuck]],
] as const) {
  console.log(`\n${title}`);
  for (const family of families) console.log(` ${family.name}: ${family.about}`);
  console.log(`\n${header}`);
  for (const family of families) {
    const adaptive = await simulate(family, undefined, N, WATCHED);
    const fixed = await simulate(family, fixed5, N, 0);
    results.set(family, { adaptive, fixed });
    all.push([family, adaptive]);
    console.log(row(`${family.name}`, adaptive));
    console.log(row(`  fixed 5 s`, fixed));
  }
}

const check = (ok: boolean, text: string) => console.log(`${ok ? "MET   " : "MISSED"} ${text}`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const b = results.get(noisy)!.adaptive;
const c = results.get(queued)!.adaptive;
const d = results.get(blind)!;
console.log("\nGoals (issue 11)");
check(b.mean <= 11, `(b) noisy progress: <= 11 requests/task (got ${b.mean.toFixed(1)})`);
check(b.share95 <= 0.06, `(b) noisy progress: p95 lag <= 6% of duration (got ${pct(b.share95)}, ${(b.lag95 / 1000).toFixed(1)} s)`);
check(c.mean <= 13, `(c) queue time: <= 13 requests/task (got ${c.mean.toFixed(1)})`);
check(c.share95 <= 0.06, `(c) queue time: p95 lag <= 6% of duration (got ${pct(c.share95)}, ${(c.lag95 / 1000).toFixed(1)} s)`);
check(
  d.adaptive.mean <= 0.6 * d.fixed.mean,
  `(d) no progress: <= 0.6x the requests of fixed 5 s (got ${(d.adaptive.mean / d.fixed.mean).toFixed(2)}x)`,
);
check(
  d.adaptive.share95 <= 0.1 && d.adaptive.lag95 <= 15_000,
  `(d) no progress: p95 lag <= 10% of duration and <= 15 s (got ${pct(d.adaptive.share95)}, ${(d.adaptive.lag95 / 1000).toFixed(1)} s)`,
);
const worst = Math.max(...all.map(([, s]) => s.worstWait));
check(worst <= 1, `adaptive, every row: no wait beyond the cap, max(30 s, elapsed / 2) (longest wait: ${worst.toFixed(2)} of its cap)`);
const faults = all.reduce((sum, [, s]) => sum + s.streamFaults, 0);
check(
  faults === 0,
  `adaptive, every row, ${WATCHED} tasks each with onProgress: the estimate never goes back and reaches 1 only on completion (${faults} faults)`,
);
