// Polling schedules compared on simulated tasks: requests per task and the lag between a task's
// completion and its detection. Runs the real waitForTask (and so the real adaptive schedule) on a
// virtual clock - this process replaces Date.now/setTimeout with a discrete-event clock, so ten
// minutes of polling take microseconds and every run with the same seed prints the same table.
import { waitForTask } from "../../src/poll.js";
import type { Schedule } from "../../src/schedule.js";
import type { Task } from "../../src/types.js";

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
  promise.then(() => (settled = true), () => (settled = true));
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

/**
 * A task that runs `durationMs`. Its progress rate wanders +/-15% around the mean, drawn afresh for
 * each tenth of the run, and is scaled so that progress reaches 1 when the task completes (what
 * varies is the pace, not where it ends); reported progress is floored to 0.01 and held at 0.99
 * until the task is completed.
 */
function simulatedTask(durationMs: number, withProgress: boolean, random: () => number, rescale = true) {
  const noisy = Array.from({ length: SEGMENTS }, () => 1 + (random() * 2 - 1) * 0.15);
  const mean = rescale ? noisy.reduce((a, b) => a + b, 0) / SEGMENTS : 1;
  const rates = noisy.map((r) => r / mean);
  const start = now;
  const progressAt = (t: number) => {
    let p = 0;
    for (let i = 0; i < SEGMENTS; i++) {
      const from = (i * durationMs) / SEGMENTS;
      const span = Math.min(Math.max(0, t - from), durationMs / SEGMENTS);
      p += (span / durationMs) * rates[i]!;
    }
    return Math.min(0.99, Math.floor(p * 100) / 100);
  };
  let requests = 0;
  const client = {
    async getTask(id: string): Promise<Task> {
      requests++;
      const t = now - start;
      if (t >= durationMs) {
        return { id, model: "kirin_v3_i2v", status: "completed", created_at: start, output: [{ content: [{ type: "video", url: "https://cdn.example/v.mp4" }] }] };
      }
      return { id, model: "kirin_v3_i2v", status: "processing", created_at: start, ...(withProgress ? { progress: progressAt(t) } : {}) };
    },
  };
  return { client, requests: () => requests, start };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function simulate(name: string, schedule: Schedule | undefined, withProgress: boolean, n: number, rescale = true) {
  const random = rng(42);
  const requests: number[] = [];
  const lags: number[] = [];
  const lagShares: number[] = [];
  for (let i = 0; i < n; i++) {
    const duration = 20_000 + random() * (600_000 - 20_000);
    const sim = simulatedTask(duration, withProgress, random, rescale);
    await run(waitForTask(sim.client, "task", { timeoutMs: 3_600_000, ...(schedule ? { schedule } : {}) }));
    const lag = now - sim.start - duration;
    requests.push(sim.requests());
    lags.push(lag);
    lagShares.push(lag / duration);
    if (timers.size) throw new Error(`${name}: ${timers.size} timer(s) left after the wait`);
  }
  const mean = requests.reduce((a, b) => a + b, 0) / n;
  return { name, mean, lag50: quantile(lags, 0.5), lag95: quantile(lags, 0.95), share50: quantile(lagShares, 0.5), share95: quantile(lagShares, 0.95) };
}

const N = Number(process.env.POLL_BENCH_TASKS ?? 2000);
const fixed = (ms: number): Schedule => () => ms;
const pad = (s: string, w: number) => s.padEnd(w);
const fmt = (r: Awaited<ReturnType<typeof simulate>>) =>
  `${pad(r.name, 18)} ${r.mean.toFixed(1).padStart(8)}  ${(r.lag50 / 1000).toFixed(2).padStart(7)} s ${(r.lag95 / 1000).toFixed(2).padStart(7)} s  ${(r.share50 * 100).toFixed(1).padStart(6)} % ${(r.share95 * 100).toFixed(1).padStart(6)} %`;

console.log(`${N} simulated tasks, durations uniform in 20 s .. 10 min, same seed for every schedule`);
const results: Record<string, Awaited<ReturnType<typeof simulate>>> = {};
for (const withProgress of [true, false]) {
  console.log(`\n${withProgress ? "WITH progress (linear, +/-15% rate noise, steps of 0.01)" : "WITHOUT progress"}`);
  console.log(`${pad("schedule", 18)} ${"req/task".padStart(8)}  ${"lag p50".padStart(9)} ${"lag p95".padStart(9)}  ${"p50 %dur".padStart(8)} ${"p95 %dur".padStart(8)}`);
  for (const [name, schedule] of [["adaptive", undefined], ["fixed 0.5 s", fixed(500)], ["fixed 5 s", fixed(5000)]] as const) {
    const r = await simulate(name, schedule, withProgress, N);
    results[`${name}|${withProgress}`] = r;
    console.log(fmt(r));
  }
}

console.log("\nHarder, outside the goals: the same noise not rescaled, so progress at completion lands anywhere");
console.log("around 0.9-1.0 (the task may finish before its progress says so)");
for (const [name, schedule] of [["adaptive", undefined], ["fixed 5 s", fixed(5000)]] as const) console.log(fmt(await simulate(name, schedule, true, N, false)));

const a = results["adaptive|true"]!;
const b = results["adaptive|false"]!;
const f5 = results["fixed 5 s|false"]!;
const check = (ok: boolean, text: string) => console.log(`${ok ? "MET   " : "MISSED"} ${text}`);
console.log("\nGoals");
check(a.mean <= 8, `with progress: <= 8 requests/task (got ${a.mean.toFixed(1)})`);
check(a.share95 <= 0.05 && a.lag95 <= 10_000, `with progress: p95 lag <= 5% of duration and <= 10 s (got ${(a.share95 * 100).toFixed(1)}%, ${(a.lag95 / 1000).toFixed(1)} s)`);
check(b.mean <= 0.6 * f5.mean, `without progress: <= 60% of fixed-5 s requests (got ${((b.mean / f5.mean) * 100).toFixed(0)}%)`);
check(b.share95 <= 0.1 && b.lag95 <= 15_000, `without progress: p95 lag <= 10% of duration and <= 15 s (got ${(b.share95 * 100).toFixed(1)}%, ${(b.lag95 / 1000).toFixed(1)} s)`);
