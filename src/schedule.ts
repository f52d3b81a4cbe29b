// When to ask again. The floor is one status request, at the moment the task finishes; fixed
// intervals pay either in requests (0.5 s) or in lag (5 s on a 20 s task). This schedule pays in
// neither as much:
//
// - Blind (no progress reported): the wait grows with elapsed time, `GROWTH` x elapsed, between
//   a floor and a ceiling. A poll then lands at most `GROWTH` of the run time after completion, so
//   the lag is a bounded fraction of the duration, while a long task costs a logarithmic number of
//   early requests plus one per ceiling interval (the ceiling keeps the absolute lag bounded).
// - Guided (progress 0-1 reported): the average rate since the task started running predicts the
//   finish. Far from it, the next poll aims at the earliest plausible finish (rate assumed faster
//   by the uncertainty of the estimate: progress is quantised and its rate is noisy), which also
//   refines the estimate; once the remaining uncertainty is small, it aims just after the predicted
//   finish. A long task then costs a handful of requests whatever its length.
//
// The same function drives waitForTask and the benchmark (test/bench/poll.bench.ts).
import type { Task } from "./types.js";
import { taskStatusOf } from "./task.js";

/** One successful poll, as the schedule sees it. */
export interface PollObservation {
  /** ms since the wait's origin (task creation when known, else the first poll). */
  atMs: number;
  task: Task;
}

export interface PollState {
  /** ms since the origin, now. */
  elapsedMs: number;
  /** Successful polls so far, oldest first. */
  history: readonly PollObservation[];
}

export interface ScheduleOptions {
  /** Shortest wait between polls (default 1 s; the blind schedule never goes below 2 s). */
  minIntervalMs?: number;
  /** Longest wait between polls. Default: none for a progress-guided wait, 15 s for a blind one. */
  maxIntervalMs?: number;
}

/** Returns how long to wait, in ms, before the next poll. */
export type Schedule = (state: PollState) => number;

const GROWTH = 0.12;
const BLIND_FLOOR_MS = 3_000;
const BLIND_CEILING_MS = 15_000;
/** Relative noise assumed in a task's progress rate (gateways report it in coarse, uneven steps). */
const RATE_NOISE = 0.15;
/** Aim at the predicted finish once its uncertainty is below this fraction of the run time... */
const FINAL_UNCERTAINTY = 0.04;
/** ...and below this many ms, so long tasks get a lag bounded in seconds too. */
const FINAL_UNCERTAINTY_MAX_MS = 6_000;
/** How far past the predicted finish the final aim lands: a fraction of the run time, capped. */
const FINAL_MARGIN = 0.01;
const FINAL_MARGIN_MAX_MS = 2_000;
/** Progress is reported in steps of 0.01. */
const QUANTUM = 0.01;

export function adaptiveSchedule(state: PollState, options: ScheduleOptions = {}): number {
  const floor = options.minIntervalMs ?? 1_000;
  const blind = Math.min(
    options.maxIntervalMs ?? BLIND_CEILING_MS,
    Math.max(BLIND_FLOOR_MS, floor, GROWTH * state.elapsedMs),
  );
  const guided = guidedDelay(state);
  // Progress that stopped moving (stuck at 0.99 while the server uploads, say) no longer predicts
  // anything: let the wait grow with the stall, like the blind schedule, instead of re-aiming at a
  // finish that keeps not coming.
  const delay = guided === undefined ? blind : Math.max(floor, guided, Math.min(blind, GROWTH * stalledMs(state)));
  return Math.min(delay, options.maxIntervalMs ?? Infinity);
}

/** How long the latest progress value has been reported unchanged, in ms. */
function stalledMs({ elapsedMs, history }: PollState): number {
  const last = history[history.length - 1];
  let since = last?.atMs ?? elapsedMs;
  for (let i = history.length - 2; i >= 0 && history[i]!.task.progress === last?.task.progress; i--) since = history[i]!.atMs;
  return elapsedMs - since;
}

/** ms until the next poll from the progress rate, or undefined when progress tells nothing yet. */
function guidedDelay({ elapsedMs, history }: PollState): number | undefined {
  const last = history[history.length - 1];
  const p = last?.task.progress;
  if (!last || typeof p !== "number" || !(p > 0) || taskStatusOf(last.task.status) === "pending") return undefined;
  // The task started running after the last poll that saw it pending (or at the origin).
  let start = 0;
  for (const o of history) if (taskStatusOf(o.task.status) === "pending") start = o.atMs;
  const running = last.atMs - start;
  if (running <= 0) return undefined;
  // A reported 0.42 means somewhere in [0.42, 0.43): take the middle.
  const done = Math.min(1, p + QUANTUM / 2);
  const total = running / done;
  const remaining = (total - running) - (elapsedMs - last.atMs);
  // Relative uncertainty of the rate: quantisation (large while progress is small) plus noise.
  const u = QUANTUM / 2 / done + RATE_NOISE;
  if (remaining * u <= Math.min(FINAL_UNCERTAINTY * total, FINAL_UNCERTAINTY_MAX_MS)) {
    return Math.max(0, remaining) + Math.min(FINAL_MARGIN * total, FINAL_MARGIN_MAX_MS);
  }
  return remaining / (1 + u);
}
