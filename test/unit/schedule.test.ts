// The schedule and the progress reading as pure functions: what they make of a history of polls.
// (test/unit/poll.test.ts runs them inside waitForTask on whole simulated tasks.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createProgressTracker, easeEstimate, type PollObservation, progressAt, readProgress } from "../../src/progress.js";
import { adaptiveSchedule } from "../../src/schedule.js";
import type { Task } from "../../src/types.js";

const obs = (atMs: number, progress?: number, status = "processing"): PollObservation => ({
  atMs,
  task: { id: "t", model: "m", status, ...(progress === undefined ? {} : { progress }) } as Task,
});
const cap = (elapsedMs: number) => Math.max(30_000, elapsedMs / 2);

describe("adaptiveSchedule", () => {
  it("grows blind waits with elapsed time between a floor and a ceiling", () => {
    const at = (ms: number) => adaptiveSchedule({ elapsedMs: ms, history: [obs(ms)] });
    expect(at(0)).toBe(3_000);
    expect(at(60_000)).toBeGreaterThan(at(30_000));
    expect(at(3_600_000)).toBe(15_000);
  });

  it("while queued, waits as long as the task has waited, within the cap", () => {
    const queued = (ms: number, last: PollObservation) => adaptiveSchedule({ elapsedMs: ms, history: [obs(0, 0), last] });
    expect(queued(0, obs(0, 0))).toBe(3_000);
    expect(queued(12_000, obs(12_000, 0))).toBe(12_000);
    expect(queued(48_000, obs(48_000, 0))).toBe(30_000);
    expect(queued(600_000, obs(600_000, 0))).toBe(300_000);
    // `pending` without progress is queued too.
    expect(queued(12_000, obs(12_000, undefined, "pending"))).toBe(12_000);
  });

  it("times the run from where progress moved, not from creation: the issue's 119 s task with 40 s of queue", () => {
    const zeros = [0, 3_000, 6_000, 12_000, 24_000, 48_000].map((t) => obs(t, t < 40_000 ? 0 : 0.1));
    // 0.1 at 48 s after 40 s of queue. Timed from creation the run would seem to take 480 s.
    const history = [...zeros, obs(68_000, 0.35)];
    const next = 68_000 + adaptiveSchedule({ elapsedMs: 68_000, history });
    // The end (119 s) is plausible from about 85% of the run: the next poll aims there, not at 948 s.
    expect(next).toBeGreaterThan(100_000);
    expect(next).toBeLessThan(119_000);
  });

  it("aims one step past the earliest plausible end, then steps through the window, then backs off", () => {
    // 25% at 50 s, 75% at 150 s: a 200 s run from 0, +/-15% (and a little for quantisation).
    const history = [obs(0, 0), obs(50_000, 0.25), obs(150_000, 0.75)];
    const at = (ms: number) => ms + adaptiveSchedule({ elapsedMs: ms, history });
    const step = 0.055 * 199_000;
    expect(at(150_000)).toBeGreaterThan(0.8 * 200_000);
    expect(at(150_000)).toBeLessThan(0.85 * 200_000 + step);
    expect(at(200_000) - 200_000).toBeCloseTo(step, -2);
    // Far past the latest plausible end, the wait grows with how late the task is, under the cap.
    expect(at(400_000) - 400_000).toBeGreaterThan(2 * step);
    expect(at(400_000) - 400_000).toBeLessThanOrEqual(cap(400_000));
    // 95% at 190 s: the end is plausible now; the next poll is about a step away.
    const late = adaptiveSchedule({ elapsedMs: 190_000, history: [obs(100_000, 0.5), obs(190_000, 0.95)] });
    expect(late).toBeGreaterThan(5_000);
    expect(late).toBeLessThan(15_000);
  });

  it("caps every wait at half the time since creation (at least 30 s), or at maxIntervalMs", () => {
    // A confident fit that puts the end far away still waits no longer than the cap.
    const history = [obs(0, 0), obs(10_000, 0.01), obs(20_000, 0.02)];
    expect(adaptiveSchedule({ elapsedMs: 20_000, history })).toBe(30_000);
    expect(adaptiveSchedule({ elapsedMs: 20_000, history }, { maxIntervalMs: 12_000 })).toBe(12_000);
    expect(adaptiveSchedule({ elapsedMs: 100_000, history: [obs(0, 0), obs(100_000, 0)] })).toBe(50_000);
  });

  it("keeps minIntervalMs", () => {
    const history = [obs(0, 0), obs(10_000, 0.5), obs(15_000, 0.75)];
    expect(adaptiveSchedule({ elapsedMs: 19_000, history }, { minIntervalMs: 5_000 })).toBeGreaterThanOrEqual(5_000);
    expect(adaptiveSchedule({ elapsedMs: 0, history: [obs(0)] }, { minIntervalMs: 8_000 })).toBe(8_000);
  });

  it("backs off when progress stalls", () => {
    const history = [obs(100_000, 0.99), obs(110_000, 0.99), obs(150_000, 0.99)];
    expect(adaptiveSchedule({ elapsedMs: 150_000, history })).toBeGreaterThanOrEqual(4_000);
  });

  it("never waits beyond the cap or below the floor, whatever the history (property)", () => {
    const observation = fc.record({
      gap: fc.integer({ min: 0, max: 120_000 }),
      progress: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      status: fc.constantFrom("pending", "processing", "rendering"),
    });
    fc.assert(
      fc.property(
        fc.array(observation, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 60_000 }),
        (steps, fromCreation, since) => {
          let t = 0;
          const history = steps.map((s) => obs((t += s.gap), s.progress, s.status));
          const elapsedMs = t + since;
          const delay = adaptiveSchedule({ elapsedMs, history, originIsCreation: fromCreation });
          expect(delay).toBeGreaterThanOrEqual(1_000);
          expect(delay).toBeLessThanOrEqual(cap(elapsedMs));
        },
      ),
    );
  });
});

describe("readProgress", () => {
  it("reads `pending`, and progress reported at 0, as queued; no progress at all is not", () => {
    expect(readProgress([obs(0, undefined, "pending")]).queued).toBe(true);
    expect(readProgress([obs(0, 0), obs(5_000, 0)]).queued).toBe(true);
    expect(readProgress([obs(0), obs(5_000)]).queued).toBe(false);
    expect(readProgress([obs(0, 0), obs(5_000, 0.1)]).queued).toBe(false);
  });

  it("fits the rate between the first and the latest moving point", () => {
    const { fit } = readProgress([obs(0, 0), obs(30_000, 0), obs(40_000, 0.1), obs(90_000, 0.6)]);
    expect(fit!.points).toBe(2);
    expect(fit!.runMs).toBeCloseTo(100_000, -2);
    expect(fit!.startMs).toBeCloseTo(29_500, -2); // 0.105 (the middle of 0.10's quantum) 10.5 s before 40 s
    expect(fit!.spread).toBeCloseTo(0.02);
  });

  it("ignores values that go back or vanish: the fit is the one the new highs give", () => {
    const clean = readProgress([obs(0, 0), obs(40_000, 0.1), obs(90_000, 0.6)]);
    const erratic = readProgress([obs(0, 0), obs(40_000, 0.1), obs(50_000, 0.02), obs(60_000), obs(90_000, 0.6), obs(95_000, 0.3)]);
    expect(erratic.fit).toEqual(clean.fit);
    expect(erratic.latest).toBe(0.3);
    expect(erratic.highest).toBe(0.6);
  });

  it("keeps 0.99 (held until the end) out of the rate", () => {
    const held = readProgress([obs(0, 0), obs(40_000, 0.2), obs(80_000, 0.6), obs(200_000, 0.99)]);
    expect(held.fit!.runMs).toBeCloseTo(100_000, -2);
  });

  it("with one moving point, takes the run's start between the last answer that had not moved and it", () => {
    const { fit } = readProgress([obs(0, 0), obs(20_000, 0), obs(30_000, 0.095)]);
    expect(fit!.points).toBe(1);
    expect(fit!.startMs).toBe(25_000);
    expect(fit!.runMs).toBeCloseTo(50_000);
    // A first answer that already moved bounds nothing, unless the origin is the task's creation.
    expect(readProgress([obs(5_000, 0.3)]).fit).toBeUndefined();
    expect(readProgress([obs(5_000, 0.3)], true).fit!.startMs).toBe(2_500);
  });
});

describe("the progress estimate", () => {
  it("follows the prediction, slows past 90% and never shows 100% for an unfinished task", () => {
    expect(easeEstimate(0.5)).toBe(0.5);
    expect(easeEstimate(0.9)).toBe(0.9);
    expect(easeEstimate(1)).toBeGreaterThan(0.9);
    expect(easeEstimate(1)).toBeLessThan(0.99);
    expect(easeEstimate(100)).toBeLessThanOrEqual(0.99);
    for (let x = 0; x < 3; x += 0.01) expect(easeEstimate(x + 0.01)).toBeGreaterThanOrEqual(easeEstimate(x));
  });

  it("says finalizing at 0.99 or past the predicted end, with no ETA once overdue", () => {
    const reading = readProgress([obs(0, 0), obs(40_000, 0.2), obs(80_000, 0.6)]);
    expect(progressAt(reading, 90_000)).toMatchObject({ phase: "running", etaMs: expect.closeTo(30_000, -3) });
    expect(progressAt(reading, 130_000)).toMatchObject({ phase: "finalizing", etaMs: undefined });
    const held = readProgress([obs(0, 0), obs(40_000, 0.2), obs(80_000, 0.6), obs(100_000, 0.99)]);
    expect(progressAt(held, 100_000).phase).toBe("finalizing");
  });

  it("on a step (0 -> 0.5), glides up to the step over a few ticks and no further", () => {
    const tracker = createProgressTracker(() => 0);
    const before = readProgress([obs(0, 0), obs(50_000, 0)]);
    for (let now = 50_000; now < 60_000; now += 250) expect(tracker.at(before, obs(0, 0).task, now).estimate).toBe(0);
    const after = readProgress([obs(0, 0), obs(50_000, 0), obs(60_000, 0.5)]);
    const shown = [60_000, 60_250, 60_500, 60_750, 61_000, 63_000].map((now) => tracker.at(after, obs(60_000, 0.5).task, now).estimate);
    for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeGreaterThan(shown[i - 1]!);
    expect(shown[0]).toBeLessThan(0.25); // 250 ms after the last tick: part of the way, not the whole step
    expect(shown[4]).toBeGreaterThan(0.4);
    // The one point times nothing: the start is guessed mid-way between 50 s and 60 s, so the bar
    // moves on from 0.5 at that pace - and still never shows 100%.
    expect(tracker.at(after, obs(60_000, 0.5).task, 600_000).estimate).toBeLessThanOrEqual(0.99);
  });

  it("holds when progress goes back and when it vanishes, and gives 1 only for a completed task (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 1, max: 30_000 }),
            progress: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (steps) => {
          const tracker = createProgressTracker(() => 0);
          const history: PollObservation[] = [];
          let t = 0;
          let shown = 0;
          for (const s of steps) {
            t += s.gap;
            history.push(obs(t, s.progress));
            for (const now of [t, t + s.gap / 2]) {
              const p = tracker.at(readProgress(history), history.at(-1)!.task, now);
              expect(p.estimate).toBeGreaterThanOrEqual(shown);
              expect(p.estimate).toBeLessThan(1);
              shown = p.estimate;
            }
          }
          expect(tracker.at(readProgress(history), { ...history.at(-1)!.task, status: "completed" }, t + 1).estimate).toBe(1);
        },
      ),
    );
  });
});
