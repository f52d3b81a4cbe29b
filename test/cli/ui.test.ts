// What the command line draws on a terminal and when piped: a bar that moves with the task's
// estimate, a batch view with one overall bar and a line per running task, and plain whole lines
// (no escape codes) when the output is not a terminal.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Output } from "../../cli/context.js";
import { batchView, byteView, taskView } from "../../cli/ui.js";
import type { BatchResult, Task, TaskProgress } from "../../src/index.js";

/** An Output whose stderr is a terminal (or not) that records everything written to it. */
function capture(interactive: boolean) {
  const written = { stdout: "", stderr: "" };
  const stream = (name: "stdout" | "stderr") => {
    const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
    s.isTTY = interactive;
    s.columns = 100;
    s.on("data", (chunk) => (written[name] += chunk));
    return s as unknown as NodeJS.WriteStream;
  };
  const stdout = stream("stdout");
  const stderr = stream("stderr");
  const output: Output = {
    json: false,
    interactive,
    stdout,
    stderr,
    print: (line) => void stdout.write(`${line}\n`),
    note: (line) => void stderr.write(`${line}\n`),
  };
  return { output, written };
}

const task = (status: Task["status"], progress: number): Task => ({ id: "task_1", status, progress }) as Task;
const progress = (estimate: number, phase: TaskProgress["phase"], etaMs?: number): TaskProgress => ({
  estimate,
  etaMs,
  reported: estimate,
  phase,
  elapsedMs: 1_000,
});
const tick = () => new Promise((r) => setTimeout(r, 150));
/** The frames drawn: the text between carriage returns / cursor moves, without escape codes. */
const frames = (text: string) =>
  text
    .split(/\r|\x1b\[1G/)
    .map((f) => f.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, "").trim())
    .filter(Boolean);

describe("on a terminal", () => {
  it("the task bar moves with the estimate and shows the phase and the time left", async () => {
    const { output, written } = capture(true);
    const view = taskView(output, "kirin_v3_i2v");
    for (const [e, phase, eta] of [
      [0, "queued", undefined],
      [0.2, "running", 8_000],
      [0.5, "running", 5_000],
      [0.9, "finalizing", undefined],
    ] as const) {
      view.progress(task("processing", e), progress(e, phase, eta));
      await tick();
    }
    view.stop();
    const drawn = frames(written.stderr).filter((f) => f.startsWith("kirin_v3_i2v ["));
    const percents = [...new Set(drawn.map((f) => Number(/\]\s+(\d+)%/.exec(f)![1])))];
    expect(percents).toEqual([0, 20, 50, 90]);
    expect(drawn.some((f) => /20% running about 8 s left/.test(f))).toBe(true);
    expect(drawn.at(-1)).toMatch(/90% finalizing/);
  });

  it("the byte bar counts bytes against the announced size", async () => {
    const { output, written } = capture(true);
    const view = byteView(output, "download");
    view.update(0, undefined);
    await tick();
    view.update(26_000, 52_000);
    await tick();
    view.update(52_000, 52_000);
    view.stop();
    const drawn = frames(written.stderr);
    expect(drawn.some((f) => /50% 26 kB of 52 kB/.test(f))).toBe(true);
    expect(drawn.at(-1)).toMatch(/100% 52 kB of 52 kB/);
  });

  it("the batch view shows one overall bar, a line per running task, and results above them", async () => {
    const { output, written } = capture(true);
    const view = batchView(output, 3);
    view.event({ type: "phase", key: "shot-1", phase: "waiting", externalTaskId: "e1" });
    view.event({ type: "phase", key: "shot-2", phase: "creating", externalTaskId: "e2" });
    view.progress("shot-1", task("processing", 0.4), progress(0.4, "running", 3_000));
    view.status({ total: 3, finished: 0, completed: 0, failed: 0, unresolved: 0, running: 2, waiting: 1, limit: 2, max: 4, cost: "0" });
    await tick();
    const during = frames(written.stderr);
    expect(during.some((f) => /^batch \[.*\] 0\/3 \| 0 done, 0 failed \| 2 running \(limit 2\/4\) \| \$0$/.test(f))).toBe(true);
    expect(during.some((f) => /^shot-1 +\[#{8}-{12}\] +40% running about 3 s left$/.test(f))).toBe(true);
    expect(during.some((f) => /^shot-2 +\[-{20}\] +0% creating/.test(f))).toBe(true);
    const result = { key: "shot-1", outcome: "completed", taskId: "task_1", cost: "0.56" } as BatchResult;
    view.result(result);
    view.status({ total: 3, finished: 1, completed: 1, failed: 0, unresolved: 0, running: 1, waiting: 1, limit: 2, max: 4, cost: "0.56" });
    view.stop();
    const after = frames(written.stderr);
    expect(after.some((f) => /^completed +shot-1 task_1 \$0.56$/.test(f))).toBe(true);
    expect(after.at(-1)).toMatch(/^batch \[.*\] 1\/3 \| 1 done/);
  });
});

describe("piped", () => {
  it("the task view writes whole lines: phase changes, quarters, the end", () => {
    const { output, written } = capture(false);
    const view = taskView(output, "task_1");
    view.progress(task("processing", 0), progress(0, "queued"));
    view.progress(task("processing", 0.1), progress(0.1, "running", 9_000));
    view.progress(task("processing", 0.2), progress(0.2, "running", 8_000));
    view.progress(task("processing", 0.3), progress(0.3, "running", 7_000));
    view.progress(task("completed", 1), progress(1, "finalizing"));
    view.stop();
    expect(written.stderr).toBe(
      "task_1 queued 0%\ntask_1 running 0% (about 9 s left)\ntask_1 running 25% (about 7 s left)\ntask_1 completed after 1 s\n",
    );
    expect(written.stderr).not.toContain("\x1b");
  });

  it("the batch view prints one line per result and the concurrency changes, nothing else", () => {
    const { output, written } = capture(false);
    const view = batchView(output, 2);
    view.event({ type: "phase", key: "a", phase: "waiting", externalTaskId: "e" });
    view.event({ type: "limit", limit: 4, max: 8, reason: "429" });
    view.result({
      key: "a",
      outcome: "failed",
      taskId: "task_9",
      error: { name: "KirinTaskFailedError", category: "fix-request", message: "m", code: "006001095" },
      task: { id: "task_9", status: "failed", error: { code: "006001095", error_message: "Task response error" } } as Task,
    });
    view.stop();
    expect(written.stdout).toBe("failed          a task_9 006001095 Task response error\n");
    expect(written.stderr).toBe("concurrency 4/8 (429)\n");
  });
});
