// What a task's reported progress says about its run, read so that the ways real progress
// misbehaves do not mislead the poller or a progress bar:
//
// - Queue time: the real gateway answers `in_progress` from the first answer, with progress 0 for a
//   queue of unknown length (it folds the provider's queued state into `in_progress`), then rising;
//   the documented shape says `pending` first.
//   Either way the run starts somewhere between the last answer that had not moved and the first
//   that had, not at creation and not at the last `pending` answer. So the run is timed from the
//   points where progress moved (new highs) only.
// - Noise and quantisation: values come in steps of 0.01 at a rate that wanders; the rate is taken
//   between the first and the latest moving point (the longest baseline), and the spread those
//   steps leave is reported with the fit.
// - Values that stop at 0.99 until the end carry no rate: they only mark the end as near.
// - Values that go backwards or vanish are ignored (they are not new highs), so they cannot pull
//   the fit or the estimate back.
//
// `readProgress` is pure and shared by the schedule (when to ask again) and by the progress stream
// (`progressAt`, `createProgressTracker`) that waitForTask gives a UI between polls.

import type { Task } from "./types.js";
import { taskStatusOf } from "./wire.js";

/** One successful poll, as the schedule sees it. */
export interface PollObservation {
  /** ms since the wait's origin (task creation when known, else the first poll). */
  atMs: number;
  task: Task;
}

/** Progress is reported in steps of this size (a reported 0.42 means somewhere in [0.42, 0.43)). */
export const PROGRESS_QUANTUM = 0.01;
/** A reported value at or above this means "nearly done": servers hold it until the very end. */
export const FINALIZING_PROGRESS = 0.99;

/** The run's timeline as the moving points tell it. */
export interface RunFit {
  /** ms since the origin at which progress was (extrapolated) 0: the run's start. */
  startMs: number;
  /** Predicted ms from the start until progress reaches 1. */
  runMs: number;
  /**
   * Relative uncertainty of `runMs` that the readings themselves leave (quantisation, and the start
   * when only one point moved). The rate's own noise comes on top.
   */
  spread: number;
  /** How many moving points the fit rests on: with one, the start is a guess between two answers. */
  points: number;
}

export interface ProgressReading {
  /** Nothing has moved yet and the task says it waits: `pending`, or progress reported at 0. */
  queued: boolean;
  /** The server has reported progress (a number) at least once. */
  reported: boolean;
  /** The latest answer's progress, if it had one. */
  latest: number | undefined;
  /** The highest progress reported so far (0 if none). */
  highest: number;
  /**
   * The run's timeline; undefined until progress has moved, and after a single move as long as
   * nothing bounds when the run started (the first answer already had progress, creation unknown).
   */
  fit: RunFit | undefined;
}

interface Point {
  atMs: number;
  progress: number;
}

/**
 * Reads the observations. `originIsCreation` says that the origin (atMs 0) is the task's creation,
 * so no run began before it: a first answer that has already moved then still bounds the start.
 */
export function readProgress(history: readonly PollObservation[], originIsCreation = false): ProgressReading {
  const moves: Point[] = [];
  let before: number | undefined = originIsCreation ? 0 : undefined;
  let highest = 0;
  let reported = false;
  for (const { atMs, task } of history) {
    const p = task.progress;
    const isNumber = typeof p === "number" && Number.isFinite(p);
    if (isNumber) reported = true;
    if (isNumber && p > highest) {
      highest = Math.min(1, p);
      moves.push({ atMs, progress: highest });
    } else if (moves.length === 0) before = atMs;
  }
  const last = history[history.length - 1]?.task;
  const latest = typeof last?.progress === "number" && Number.isFinite(last.progress) ? last.progress : undefined;
  const queued = moves.length === 0 && (reported || taskStatusOf(last?.status) === "pending");
  return { queued, reported, latest, highest, fit: fitRun(moves, before) };
}

/** The run from its moving points: the longest baseline for the rate, or one point and a start bound. */
function fitRun(moves: readonly Point[], before: number | undefined): RunFit | undefined {
  // Points held at "nearly done" were often first seen long after they were reached: keep them out of
  // the rate unless nothing else is left.
  const below = moves.filter((m) => m.progress < FINALIZING_PROGRESS);
  const points = below.length >= 2 ? below : moves;
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return undefined;
  if (last.atMs > first.atMs && last.progress > first.progress) {
    const span = last.progress - first.progress;
    const rate = span / (last.atMs - first.atMs);
    const startMs = first.atMs - (first.progress + PROGRESS_QUANTUM / 2) / rate;
    // Each reading is floored to the quantum: the baseline's span is known to +/- one quantum.
    // (A span too small for floating point to time is no fit at all.)
    if (Number.isFinite(startMs) && Number.isFinite(1 / rate))
      return { startMs, runMs: 1 / rate, spread: PROGRESS_QUANTUM / span, points: points.length };
  }
  // One point: the run started after the last answer that had not moved (`before`) and before this
  // one. Take the middle; the spread says the start is unknown by as much as the time since it.
  if (before === undefined || !(first.atMs > before)) return undefined;
  const startMs = (before + first.atMs) / 2;
  const done = first.progress + PROGRESS_QUANTUM / 2;
  return { startMs, runMs: (first.atMs - startMs) / done, spread: 1 + PROGRESS_QUANTUM / done, points: 1 };
}

// ---- The progress stream -----------------------------------------------------------------------

/** What a progress bar shows: see WaitOptions.onProgress. */
export interface TaskProgress {
  /** 0-1, never decreasing; at most 0.99 until the task has completed, then 1. */
  estimate: number;
  /** ms until the predicted end, or undefined when nothing predicts it (no progress, queued, overdue). */
  etaMs: number | undefined;
  /** The server's latest progress value, as sent (undefined when its latest answer had none). */
  reported: number | undefined;
  /**
   * `queued`: waiting to start (`pending`, or progress still at 0). `running`: progress moves, or
   * the server reports none. `finalizing`: progress sits at 0.99 or the predicted end has passed.
   */
  phase: "queued" | "running" | "finalizing";
  /** ms since the task was created (or since the wait began, when the task does not say). */
  elapsedMs: number;
}

/** Where a linear estimate starts to slow down, so that a late task never shows a full bar. */
const KNEE = 0.9;
/** The most an unfinished task shows: a bar that rounds to whole percent never says 100% early. */
const ESTIMATE_MAX = 0.99;
/** Without any progress, the estimate creeps up with this time constant: it says "time passes", not "nearly done". */
const CREEP_MS = 120_000;

/**
 * The fraction a bar should show for a run that is `x` of the way through its prediction: `x` up
 * to the knee, then an exponential approach to ESTIMATE_MAX with the same slope at the knee, so a
 * task that runs late slows the bar down but never fills it.
 */
export function easeEstimate(x: number): number {
  if (!(x > 0)) return 0;
  if (x <= KNEE) return x;
  return ESTIMATE_MAX - (ESTIMATE_MAX - KNEE) * Math.exp(-(x - KNEE) / (ESTIMATE_MAX - KNEE));
}

/** The progress a UI should show `nowMs` after the origin, before smoothing and the monotonic hold. */
export function progressAt(reading: ProgressReading, nowMs: number): Omit<TaskProgress, "estimate"> & { target: number } {
  const { fit, highest } = reading;
  const base = { reported: reading.latest, elapsedMs: Math.max(0, nowMs) };
  if (reading.queued) return { ...base, target: 0, etaMs: undefined, phase: "queued" };
  if (!fit) {
    // Progress either never came (creep with time) or moved only in a way that times nothing yet.
    const target = reading.reported ? easeEstimate(highest) : ESTIMATE_MAX * (1 - Math.exp(-Math.max(0, nowMs) / CREEP_MS));
    return { ...base, target, etaMs: undefined, phase: highest >= FINALIZING_PROGRESS ? "finalizing" : "running" };
  }
  const x = (nowMs - fit.startMs) / fit.runMs;
  const endMs = fit.startMs + fit.runMs;
  const finalizing = highest >= FINALIZING_PROGRESS || nowMs >= endMs;
  return {
    ...base,
    target: easeEstimate(Math.max(x, highest)),
    etaMs: nowMs < endMs ? endMs - nowMs : undefined,
    phase: finalizing ? "finalizing" : "running",
  };
}

/** How fast the shown estimate closes the gap to a new target: a jump becomes a quick, visible glide. */
const GLIDE_MS = 500;

/**
 * The stateful side of the stream: holds the estimate so that it never goes back, glides to a new
 * target instead of jumping, and shows 1 only for a completed task.
 */
export function createProgressTracker(originMs: () => number) {
  let estimate = 0;
  let lastAt: number | undefined;
  return {
    /** The progress at `now` (Date.now() ms) given the latest reading and the latest task. */
    at(reading: ProgressReading, task: Task, now: number): TaskProgress {
      const nowMs = now - originMs();
      const { target, ...rest } = progressAt(reading, nowMs);
      if (taskStatusOf(task.status) === "completed") {
        estimate = 1;
        return { ...rest, estimate, etaMs: 0, phase: "finalizing" };
      }
      const dt = lastAt === undefined ? Infinity : Math.max(0, now - lastAt);
      lastAt = now;
      if (target > estimate) estimate += (target - estimate) * (1 - Math.exp(-dt / GLIDE_MS));
      return { ...rest, estimate };
    },
  };
}
