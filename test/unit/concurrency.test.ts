import { describe, expect, it } from "vitest";
import { adaptiveConcurrency } from "../../src/concurrency.js";

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("adaptiveConcurrency", () => {
  it("starts at the maximum and halves on push-back, down to 1", () => {
    const clock = fakeClock();
    const changes: [number, string][] = [];
    const limit = adaptiveConcurrency({ max: 32, now: clock.now, onChange: (l, r) => changes.push([l, r]) });
    expect(limit.limit).toBe(32);
    for (let i = 0; i < 7; i++) {
      limit.backOff(i % 2 ? "429" : "006001094");
      clock.advance(1_000);
    }
    expect(limit.limit).toBe(1);
    expect(changes.map(([l]) => l)).toEqual([16, 8, 4, 2, 1]);
    expect(changes[0]).toEqual([16, "006001094"]);
  });

  it("takes a burst of push-back within the cooldown as one signal", () => {
    const clock = fakeClock();
    const limit = adaptiveConcurrency({ max: 32, now: clock.now, cooldownMs: 1_000 });
    for (let i = 0; i < 20; i++) limit.backOff("429");
    expect(limit.limit).toBe(16);
    clock.advance(999);
    limit.backOff("429");
    expect(limit.limit).toBe(16);
    clock.advance(1);
    limit.backOff("429");
    expect(limit.limit).toBe(8);
  });

  it("wins one slot back per full round of successes, and never goes above the maximum", () => {
    const clock = fakeClock();
    const limit = adaptiveConcurrency({ max: 6, now: clock.now });
    limit.backOff("429");
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 2; i++) limit.succeeded();
    expect(limit.limit).toBe(3);
    limit.succeeded();
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 100; i++) limit.succeeded();
    expect(limit.limit).toBe(6);
  });

  it("a push-back restarts the count of successes", () => {
    const clock = fakeClock();
    const limit = adaptiveConcurrency({ max: 8, now: clock.now });
    limit.backOff("429");
    for (let i = 0; i < 3; i++) limit.succeeded();
    clock.advance(5_000);
    limit.backOff("429"); // 4 -> 2
    limit.succeeded();
    expect(limit.limit).toBe(2);
    limit.succeeded();
    expect(limit.limit).toBe(3);
  });

  it("never runs more functions at once than the limit, also after it was lowered", async () => {
    const limit = adaptiveConcurrency({ max: 8 });
    let running = 0;
    const peaks: number[] = [];
    const gates: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running++;
        gates.push(() => {
          running--;
          resolve();
        });
      });
    const all = Array.from({ length: 40 }, () => limit.run(task));
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toBe(8);
    limit.backOff("429"); // 8 -> 4: the 8 running finish, no new one starts until 4 remain
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 0));
      peaks.push(running);
    }
    await Promise.all(all);
    // After the first four finished, never more than 4 at once.
    expect(Math.max(...peaks.slice(4))).toBeLessThanOrEqual(4);
    expect(peaks.slice(4).some((n) => n === 4)).toBe(true);
  });

  it("refuses a maximum that is not a whole number of at least 1", () => {
    expect(() => adaptiveConcurrency({ max: 0 })).toThrow(/at least 1/);
    expect(() => adaptiveConcurrency({ max: 2.5 })).toThrow(/whole number/);
  });
});
