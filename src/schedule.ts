// When to ask again. The floor is one status request, at the moment the task finishes; fixed
// intervals pay either in requests (0.5 s) or in lag (5 s on a 20 s task). This schedule reads the
// observations with readProgress (src/progress.ts) and picks one of three modes:
//
// - Blind (the server reports no progress): the wait grows with elapsed time, `BLIND_GROWTH` x
//   elapsed, between a floor and a ceiling. A poll then lands at most that share of the run after
//   completion, while a long task costs a logarithmic number of early requests plus one per ceiling
//   interval (the ceiling keeps the absolute lag bounded).
// - Queued (progress reported but not moved yet, or `pending`): the task has not started its run,
//   and a run takes time once it starts, so the wait is as long as the time waited so far, within
//   the cap: a queue of minutes costs a handful of requests, not one every 15 s. Seeing the start
//   late only means the first moving point is further along, which the fit below copes with.
// - Guided (progress moved): readProgress fits the run to the points where progress moved. With
//   one point the start is a guess, so the next poll goes half way to the guessed end, for a
//   second point. With two or more, the end is predicted within the rate's noise (`RATE_NOISE`,
//   plus what quantisation leaves): the next poll jumps to one step past the earliest plausible end
//   (no earlier poll could see the end, and the step bounds the lag), then steps through the
//   plausible window in `STEP_SHARE` of the predicted duration, which bounds the lag as a share of
//   the task's own time. Every poll on the way lengthens the baseline and sharpens the fit. Past
//   the window (progress held at 0.99 through a long upload, say) the wait grows with how late the
//   task is.
//
// Every wait is capped: `maxIntervalMs` when the caller sets one; by default half the time elapsed
// since creation but never less than 30 s, so a wrong estimate costs at most about half the task's
// own time, however long progress sits at 0. waitForTask also cuts a wait that would pass its
// deadline.
//
// The same function drives waitForTask and the benchmark (test/bench/poll.bench.ts).
import { type PollObservation, type RunFit, readProgress } from "./progress.js";

export type { PollObservation } from "./progress.js";

export interface PollState {
  /** ms since the origin, now. */
  elapsedMs: number;
  /** Successful polls so far, oldest first. */
  history: readonly PollObservation[];
  /** The origin is the task's creation (its `created_at`), not the first poll: no run began before it. */
  originIsCreation?: boolean;
}

export interface ScheduleOptions {
  /** Shortest wait between polls (default 1 s). */
  minIntervalMs?: number;
  /**
   * Longest wait between polls. Default: half the time since the task was created, at least 30 s
   * (and 15 s while the server reports no progress at all).
   */
  maxIntervalMs?: number;
}

/** Returns how long to wait, in ms, before the next poll. */
export type Schedule = (state: PollState) => number;

const DEFAULT_FLOOR_MS = 1_000;
/** The default cap: this share of the time since creation... */
const CAP_SHARE = 0.5;
/** ...but never less than this. */
const CAP_MIN_MS = 30_000;

const BLIND_GROWTH = 0.12;
const BLIND_FLOOR_MS = 3_000;
const BLIND_CEILING_MS = 15_000;

const QUEUED_FLOOR_MS = 3_000;

/** Relative noise assumed in a task's progress rate (it is off from the truth by up to this much). */
const RATE_NOISE = 0.15;
/** Steps through the plausible end window, as a share of the predicted duration since the origin. */
const STEP_SHARE = 0.055;
/**
 * With one moving point, the next poll goes this share of the way to the guessed end: far enough
 * along to time the rate, yet short of the end if the guess was long.
 */
const SECOND_POINT_SHARE = 0.5;
/** Past the predicted end, the wait grows by this share of how late the task is (about a step where the window ends). */
const OVERDUE_GROWTH = 0.25;

export function adaptiveSchedule(state: PollState, options: ScheduleOptions = {}): number {
  const floor = options.minIntervalMs ?? DEFAULT_FLOOR_MS;
  const cap = options.maxIntervalMs ?? Math.max(CAP_MIN_MS, CAP_SHARE * state.elapsedMs);
  const reading = readProgress(state.history, state.originIsCreation);
  let delay: number;
  if (reading.fit) delay = guidedDelay(reading.fit, state.elapsedMs, floor);
  // Queued - or moved in a way that times nothing yet (a first answer already under way, with no
  // creation time to bound its start): the next answer that moves gives the fit its point.
  else if (reading.queued || reading.highest > 0) delay = Math.max(QUEUED_FLOOR_MS, state.elapsedMs);
  else delay = Math.min(options.maxIntervalMs ?? BLIND_CEILING_MS, Math.max(BLIND_FLOOR_MS, BLIND_GROWTH * state.elapsedMs));
  return Math.min(cap, Math.max(floor, delay));
}

/** ms until the next poll from the run's fit. */
function guidedDelay(fit: RunFit, nowMs: number, floor: number): number {
  const endMs = fit.startMs + fit.runMs;
  const step = Math.max(floor, STEP_SHARE * endMs);
  // Past the end the fit allows, it is wrong (progress held at 0.99 through a long upload, a step
  // that never came): let the wait grow with how late the task is, starting from about a step.
  const overdue = Math.max(step, OVERDUE_GROWTH * (nowMs - endMs));
  if (fit.points < 2) return nowMs < endMs ? Math.max(step, SECOND_POINT_SHARE * (endMs - nowMs)) : overdue;
  const u = RATE_NOISE + fit.spread;
  const earliest = fit.startMs + (1 - u) * fit.runMs;
  const latest = fit.startMs + (1 + u) * fit.runMs;
  // The end cannot be seen before the earliest plausible moment, and a poll one step after it keeps
  // the lag within a step: aim there, never less than a step away.
  if (nowMs < earliest) return Math.max(step, earliest + step - nowMs);
  if (nowMs < latest) return step;
  return overdue;
}
