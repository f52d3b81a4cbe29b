// `kirin task ID`: a task by its id or external_task_id; --wait follows it to its end, --out saves its video.
import { KirinTaskFailedError, type Task, taskCost, videoUrls } from "../../src/index.js";
import { downloadVideo } from "../../src/node.js";
import { clientFor, EXIT, type GlobalOptions, outputFor } from "../context.js";
import { formatBytes, formatCost } from "../format.js";
import { stopOnInterrupt } from "../interrupt.js";
import { byteView, taskView } from "../ui.js";

export interface TaskFlags {
  wait?: boolean;
  out?: string;
  maxPollInterval?: number;
}

export async function taskCommand(id: string, flags: TaskFlags, globals: GlobalOptions): Promise<number> {
  const output = outputFor(globals);
  const client = clientFor(globals);
  const controller = new AbortController();
  const { signal } = controller;
  const release = stopOnInterrupt(controller);
  try {
    let task = await client.getTask(id, { signal });
    let failed = task.status === "failed";
    if (flags.wait && !["completed", "failed"].includes(task.status)) {
      const view = taskView(output, task.id);
      try {
        task = await client.waitForTask(task.id, {
          signal,
          initialTask: task,
          onProgress: (t, p) => view.progress(t, p),
          onRetry: (e) => view.retry(e),
          ...(flags.maxPollInterval !== undefined && { maxIntervalMs: flags.maxPollInterval * 1000 }),
        });
      } catch (error) {
        if (!(error instanceof KirinTaskFailedError)) throw error;
        task = error.task;
        failed = true;
      } finally {
        view.stop();
      }
    }
    let saved: { path: string; bytes: number } | undefined;
    if (flags.out && task.status === "completed") {
      const bar = byteView(output, "download");
      try {
        saved = await downloadVideo(task, flags.out, { signal, onProgress: (p) => bar.update(p.receivedBytes, p.totalBytes) });
      } finally {
        bar.stop();
      }
    }
    if (output.json) output.print(JSON.stringify({ task, ...(saved && { file: saved.path, bytes: saved.bytes }) }));
    else for (const line of describe(task, saved)) output.print(line);
    return failed ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (signal.aborted) {
      output.note(`Stopped. The task keeps running on the server; run the same command again to follow it.`);
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    release();
  }
}

function describe(task: Task, saved: { path: string; bytes: number } | undefined): string[] {
  const lines = [
    `task      ${task.id}`,
    `status    ${task.status}${task.progress !== undefined && task.status !== "completed" ? ` (progress ${task.progress})` : ""}`,
  ];
  if (task.external_task_id) lines.push(`external  ${task.external_task_id}`);
  if (task.error) lines.push(`error     ${task.error.code} ${task.error.error_message ?? ""}`);
  for (const url of videoUrls(task)) lines.push(`video     ${url}`);
  if (task.status === "completed") lines.push(`cost      ${formatCost(taskCost(task))}`);
  if (saved) lines.push(`saved     ${saved.path} (${formatBytes(saved.bytes)})`);
  return lines;
}
