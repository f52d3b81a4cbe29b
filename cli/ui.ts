// What the command line draws. On a terminal: bars from cli-progress that redraw in place (the
// task's estimate, phase and ETA from waitForTask's onProgress; bytes while downloading; for a batch
// one overall bar and a line per running task). Piped or with --json: no bars, only whole lines
// when something happens, so logs and CI output stay readable.
import cliProgress from "cli-progress";
import type { BatchEvent, BatchPhase, BatchResult, BatchStatus, RetryEvent, Task, TaskProgress } from "../src/index.js";
import type { Output } from "./context.js";
import { formatBytes, formatCost, formatDuration } from "./format.js";

/** The bar's resolution: estimates are shown in tenths of a percent. */
const STEPS = 1000;
const COMMON = { hideCursor: true, gracefulExit: false, barsize: 24, fps: 8, linewrap: false, autopadding: true } as const;

function etaText(progress: TaskProgress): string {
  return progress.etaMs === undefined ? "" : `about ${formatDuration(progress.etaMs)} left`;
}

export interface TaskView {
  progress(task: Task, progress: TaskProgress): void;
  retry(event: RetryEvent): void;
  stop(): void;
}

/** One task being followed (generate, task --wait). */
export function taskView(output: Output, label: string): TaskView {
  if (output.json) return { progress() {}, retry() {}, stop() {} };
  if (!output.interactive) {
    // Piped: a line when the phase changes and at each quarter.
    let last = "";
    return {
      progress(task, progress) {
        const quarter = Math.floor(progress.estimate * 4) * 25;
        const done = task.status === "completed" || task.status === "failed";
        const key = done ? task.status : `${progress.phase}|${quarter}`;
        if (key === last) return;
        last = key;
        if (done) output.note(`${label} ${task.status} after ${formatDuration(progress.elapsedMs)}`);
        else output.note(`${label} ${progress.phase} ${quarter}%${progress.etaMs === undefined ? "" : ` (${etaText(progress)})`}`);
      },
      retry: (e) => output.note(`${label} ${e.operation} again in ${formatDuration(e.delayMs)} (${e.reason})`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { ...COMMON, stream: output.stderr, format: `${label} [{bar}] {percentage}% {phase} {left}{note}` },
    cliProgress.Presets.shades_classic,
  );
  // (`eta` is a name cli-progress computes itself, from the bar's own rate: ours comes from the task.)
  bar.start(STEPS, 0, { phase: "queued", left: "", note: "" });
  return {
    progress(_task, progress) {
      bar.update(Math.round(progress.estimate * STEPS), { phase: progress.phase, left: etaText(progress), note: "" });
    },
    retry(e) {
      bar.update({ note: ` (${e.reason}: again in ${formatDuration(e.delayMs)})` });
    },
    stop: () => bar.stop(),
  };
}

export interface ByteView {
  update(received: number, total: number | undefined): void;
  stop(): void;
}

/** A download. */
export function byteView(output: Output, label: string): ByteView {
  if (!output.interactive) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(received, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { ...COMMON, stream: output.stderr, format: `${label} [{bar}] {percentage}% {done} of {size}` },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 1, 0, { done: formatBytes(0), size: total === undefined ? "?" : formatBytes(total) });
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(total === undefined ? 0 : received, { done: formatBytes(received), size: total === undefined ? "?" : formatBytes(total) });
    },
    stop: () => bar?.stop(),
  };
}

export interface BatchView {
  event(event: BatchEvent): void;
  progress(key: string, task: Task, progress: TaskProgress): void;
  /** A result, as a line (above the bars on a terminal). */
  result(result: BatchResult): void;
  status(status: BatchStatus): void;
  stop(): void;
}

/** Task lines shown under the overall bar at most; the rest are counted. */
const MAX_TASK_LINES = 8;

/** A batch: one overall bar and a line per running task, or plain lines when piped. */
export function batchView(output: Output, total: number): BatchView {
  if (output.json) return { event() {}, progress() {}, result() {}, status() {}, stop() {} };
  if (!output.interactive) {
    return {
      event(e) {
        // Each halving, and the way back once it is whole again (one line per slot won back is noise).
        if (e.type === "limit" && (e.reason !== "recovered" || e.limit === e.max))
          output.note(`concurrency ${e.limit}/${e.max} (${e.reason})`);
        if (e.type === "stopped" && e.reason !== "aborted") output.note(`stopped creating: ${e.message}`);
        if (e.type === "recreate")
          output.note(`${e.key} failed with 006001094; creating it again as ${e.externalTaskId} in ${formatDuration(e.afterMs)}`);
      },
      progress() {},
      result: (result) => output.print(resultLine(result)),
      status() {},
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { ...COMMON, stream: output.stderr, clearOnComplete: false, format: "{text}" },
    cliProgress.Presets.shades_classic,
  );
  const overall = bars.create(total, 0, { text: "" }, { format: "batch [{bar}] {value}/{total} {text}", barsize: 16 });
  const rows: cliProgress.SingleBar[] = [];
  for (let i = 0; i <= Math.min(MAX_TASK_LINES, total); i++) rows.push(bars.create(1, 0, { text: "" }));
  const tasks = new Map<string, { phase: BatchPhase | string; percent: number; eta: string; since: number }>();
  let latest: BatchStatus | undefined;
  let note = "";
  const draw = () => {
    const running = [...tasks.entries()].sort((a, b) => a[1].since - b[1].since);
    rows.forEach((row, i) => {
      const entry = running[i];
      let text = "";
      if (i === rows.length - 1 && running.length > rows.length - 1) text = `  ... and ${running.length - (rows.length - 1)} more`;
      else if (i < rows.length - 1 && entry) {
        const [key, t] = entry;
        const filled = Math.round((t.percent / 100) * 20);
        text = `  ${key.padEnd(20).slice(0, 20)} [${"#".repeat(filled)}${"-".repeat(20 - filled)}] ${String(t.percent).padStart(3)}% ${t.phase} ${t.eta}`;
      }
      row.update(0, { text });
    });
    if (latest) {
      const s = latest;
      const problems = s.unresolved ? ` | ${s.unresolved} not done` : "";
      overall.update(s.finished, {
        text: `| ${s.completed} done, ${s.failed} failed${problems} | ${s.running} running (limit ${s.limit}/${s.max}) | $${s.cost}${note}`,
      });
    }
  };
  return {
    event(e) {
      if (e.type === "phase") {
        const t = tasks.get(e.key) ?? { phase: e.phase, percent: 0, eta: "", since: Date.now() };
        tasks.set(e.key, { ...t, phase: e.phase });
      } else if (e.type === "limit") note = ` | limit ${e.limit} (${e.reason})`;
      else if (e.type === "stopped" && e.reason !== "aborted") bars.log(`stopped creating: ${e.message}\n`);
      draw();
    },
    progress(key, _task, progress) {
      const t = tasks.get(key);
      if (t) tasks.set(key, { ...t, phase: progress.phase, percent: Math.floor(progress.estimate * 100), eta: etaText(progress) });
      draw();
    },
    result(result) {
      // Results go to stdout; on a terminal stdout and the bars share a screen, so they go above the bars.
      if (output.stdout.isTTY) bars.log(`${resultLine(result)}\n`);
      else output.print(resultLine(result));
      tasks.delete(result.key);
      draw();
    },
    status(status) {
      latest = status;
      draw();
    },
    stop() {
      // Removing the task lines redraws once more, which also prints results still waiting above the bars.
      for (const row of rows) bars.remove(row);
      bars.stop();
    },
  };
}

/** One line for a result, as the batch prints it: outcome, key, then what matters for that outcome. */
export function resultLine(result: BatchResult): string {
  const outcome = result.outcome.padEnd(15);
  switch (result.outcome) {
    case "completed":
      return `${outcome} ${result.key} ${result.taskId} ${formatCost(result.cost)}${result.files?.length ? ` ${result.files.join(" ")}` : ""}`;
    case "failed":
      return `${outcome} ${result.key} ${result.taskId} ${result.error?.code} ${result.task?.error?.error_message ?? ""}`.trimEnd();
    default:
      return `${outcome} ${result.key} ${result.error?.message ?? ""}`;
  }
}
