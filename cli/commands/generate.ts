// `kirin generate`: one video - validate locally, create, follow with a live bar, download, cost.
import { randomUUID } from "node:crypto";
import {
  KirinAbortError,
  KirinBadRequestError,
  KirinCreateOutcomeUnknownError,
  type KirinRequest,
  KirinTaskFailedError,
  type Task,
  taskCost,
  validateRequest,
} from "../../src/index.js";
import { downloadVideo } from "../../src/node.js";
import { type BodyFlags, requestFromFlags } from "../body.js";
import { clientFor, EXIT, type GlobalOptions, outputFor } from "../context.js";
import { formatBytes, formatCost } from "../format.js";
import { stopOnInterrupt } from "../interrupt.js";
import { issueLines } from "../issues.js";
import { byteView, taskView } from "../ui.js";

export interface GenerateFlags extends BodyFlags {
  out?: string;
  download: boolean;
  resendIfAbsent?: boolean;
  maxPollInterval?: number;
}

export async function generateCommand(flags: GenerateFlags, globals: GlobalOptions): Promise<number> {
  const output = outputFor(globals);
  const body = await requestFromFlags(flags);
  const verdict = validateRequest(body);
  if (output.json && !verdict.valid) output.print(JSON.stringify(verdict));
  else for (const line of issueLines(verdict.issues)) output.note(line);
  if (!verdict.valid) {
    if (!output.json) output.note("The request is invalid; nothing was sent.");
    return EXIT.invalid;
  }
  const client = clientFor(globals);
  // Our own id, so that even a create cut short can be looked up by it.
  body.external_task_id ??= `kirin-cli-${randomUUID()}`;
  const externalTaskId = body.external_task_id as string;
  const controller = new AbortController();
  const { signal } = controller;
  const release = stopOnInterrupt(controller);
  let created: Task | undefined;
  let file: string | undefined;
  const view = taskView(output, String(body.model));
  try {
    created = await client.createTask(body as KirinRequest, {
      signal,
      resendIfAbsent: flags.resendIfAbsent === true,
      onRetry: (e) => view.retry(e),
    });
    if (!output.interactive && !output.json) output.note(`created ${created.id} (external_task_id ${externalTaskId})`);
    const task = await client.waitForTask(created.id, {
      signal,
      initialTask: created,
      onProgress: (t, p) => view.progress(t, p),
      onRetry: (e) => view.retry(e),
      ...(flags.maxPollInterval !== undefined && { maxIntervalMs: flags.maxPollInterval * 1000 }),
    });
    view.stop();
    let bytes: number | undefined;
    if (flags.download) {
      file = flags.out ?? `${task.id}.mp4`;
      const bar = byteView(output, "download");
      try {
        bytes = (await downloadVideo(task, file, { signal, onProgress: (p) => bar.update(p.receivedBytes, p.totalBytes) })).bytes;
      } finally {
        bar.stop();
      }
    }
    const cost = taskCost(task);
    if (output.json) output.print(JSON.stringify({ task, ...(file && { file, bytes }), cost: cost ?? null }));
    else output.print(`${file ? `saved ${file} (${formatBytes(bytes ?? 0)}) | ` : ""}cost ${formatCost(cost)} | task ${task.id}`);
    return EXIT.ok;
  } catch (error) {
    view.stop();
    if (signal.aborted) {
      if (!created) {
        // The client's abort says whether the create may have made a task (it then names its id).
        const mayExist = !(error instanceof KirinAbortError) || error.externalTaskId !== undefined;
        output.note(
          mayExist
            ? `Stopped while creating. The create may have reached the server; look it up with:\n  kirin task ${externalTaskId}`
            : "Stopped before any create could make a task; nothing was made.",
        );
      } else {
        output.note(
          `Stopped. Task ${created.id} keeps running on the server; follow it with:\n  kirin task ${created.id} --wait${file || flags.download ? ` --out ${file ?? flags.out ?? `${created.id}.mp4`}` : ""}`,
        );
      }
      return EXIT.interrupted;
    }
    if (error instanceof KirinBadRequestError && error.issues.length > 0) {
      for (const line of issueLines(error.issues)) output.note(line);
      output.note(`The server refused the request: ${error.message}`);
      return EXIT.invalid;
    }
    if (error instanceof KirinTaskFailedError) {
      output.note(`Task ${error.taskId} failed: ${error.code} ${error.errorMessage}`);
      if (error.retryable)
        output.note("This code means the service had no capacity: run the same command again later (it makes a new task).");
      return EXIT.failed;
    }
    if (error instanceof KirinCreateOutcomeUnknownError) {
      output.note(`${error.message}\nLook it up with:\n  kirin task ${error.externalTaskId}`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    release();
  }
}
