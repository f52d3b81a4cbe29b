// `kirin batch jobs.jsonl --out results.jsonl`: the batch runner with a journal next to the jobs,
// one overall bar and a line per running task, results as JSON lines, a summary at the end.
// Resumable by running the same command again; Ctrl-C stops cleanly and says so.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type BatchItem,
  type BatchSummary,
  KirinBatchValidationError,
  KirinJournalError,
  runBatch,
  type Task,
  validateBatch,
  videoUrls,
} from "../../src/index.js";
import { downloadVideo, openJournal } from "../../src/node.js";
import { clientFor, EXIT, type GlobalOptions, type Output, outputFor, UsageError } from "../context.js";
import { commandLine, formatCost } from "../format.js";
import { stopOnInterrupt } from "../interrupt.js";
import { issueLines } from "../issues.js";
import { type Job, parseJobs } from "../jobs.js";
import { missingFinals, openResults } from "../results.js";
import { batchView } from "../ui.js";

export interface BatchFlags {
  out: string;
  download?: string;
  concurrency: number;
  journal?: string;
  resendIfAbsent?: boolean;
  recreateAttempts: number;
  maxPollInterval?: number;
}

export async function batchCommand(jobsFile: string, flags: BatchFlags, globals: GlobalOptions, args: readonly string[]): Promise<number> {
  const output = outputFor(globals);
  if (jobsFile === "-" && !flags.journal)
    throw new UsageError("Jobs from stdin need --journal FILE: the journal is what a rerun resumes from.");
  const text = jobsFile === "-" ? await readStdin() : await readFile(jobsFile, "utf8");
  const { jobs, problems } = parseJobs(text, jobsFile);
  // Everything is checked before anything is sent: a bad line 900 must not surface after 899 paid tasks.
  const lines = [...problems, ...batchProblemLines(validateBatch(jobs.map((j) => j.item)), jobs, jobsFile)];
  const files = flags.download ? fileNames(jobs, flags.download, jobsFile, lines) : undefined;
  if (lines.length > 0) return invalid(output, lines);
  const client = clientFor(globals);

  const journalFile = flags.journal ?? `${jobsFile}.journal`;
  let journal: Awaited<ReturnType<typeof openJournal>>;
  try {
    journal = await openJournal(journalFile);
  } catch (error) {
    if (error instanceof KirinJournalError) throw new UsageError(error.message);
    throw error;
  }
  const results = await openResults(flags.out).catch(async (error) => {
    await journal.close();
    throw error;
  });
  const controller = new AbortController();
  const release = stopOnInterrupt(controller, () =>
    output.note("Stopping: no new creates; creates already sent get their answer first. Ctrl-C again to quit at once."),
  );
  const view = batchView(output, jobs.length);
  let summary: BatchSummary | undefined;
  try {
    // A result the journal holds as final but the results file lacks: the last run died in between.
    for (const result of missingFinals(journal.entries, results, new Set(jobs.map((j) => j.item.key)))) await results.append(result);

    const run = runBatch(
      client,
      jobs.map((j) => j.item),
      {
        concurrency: flags.concurrency,
        journal,
        resendIfAbsent: flags.resendIfAbsent === true,
        recreateAttempts: flags.recreateAttempts,
        signal: controller.signal,
        ...(flags.maxPollInterval !== undefined && { wait: { maxIntervalMs: flags.maxPollInterval * 1000 } }),
        ...(files && { download: (task: Task, item: BatchItem, signal: AbortSignal) => downloadAll(task, files.get(item.key)!, signal) }),
        onProgress: (key, task, progress) => view.progress(key, task, progress),
        onEvent: (event) => {
          view.event(event);
          view.status(run.status);
        },
      },
    );
    try {
      for await (const result of run) {
        await results.append(result);
        if (output.json) output.print(JSON.stringify(result));
        else view.result(result);
        view.status(run.status);
      }
    } catch (error) {
      if (error instanceof KirinBatchValidationError) {
        view.stop();
        return invalid(output, batchProblemLines(error.problems, jobs, jobsFile));
      }
      throw error;
    }
    summary = run.summary!;
  } finally {
    view.stop();
    release();
    await results.close();
    await journal.close();
  }

  const interrupted = controller.signal.aborted;
  report(output, summary, journalFile);
  const settled = summary.completed + summary.failed === summary.total;
  if (interrupted || !settled) {
    const why = interrupted
      ? "Stopped: nothing more is created or followed. Tasks already made keep running on the server; the journal has them."
      : "Not every request is done.";
    output.note(`${why} Resume with:\n  ${commandLine(args)}`);
    if (summary.outcomeUnknown.length > 0 && !flags.resendIfAbsent) {
      output.note(
        `${summary.outcomeUnknown.length} create${summary.outcomeUnknown.length === 1 ? "" : "s"} may or may not have made a task, and a look-up did not find it. ` +
          "Run again later to look again, or add --resend-if-absent to send those creates again (the gateway does not document that a look-up finds every task).",
      );
    }
  }
  if (interrupted) return EXIT.interrupted;
  return summary.completed === summary.total ? EXIT.ok : EXIT.failed;
}

function invalid(output: Output, lines: string[]): number {
  for (const line of lines) output.note(line);
  output.note("The batch is invalid; nothing was sent.");
  return EXIT.invalid;
}

function batchProblemLines(problems: { index: number; issues: Parameters<typeof issueLines>[0] }[], jobs: Job[], name: string): string[] {
  return problems.flatMap((p) => issueLines(p.issues, `${name}:${jobs[p.index]?.line ?? "?"} `));
}

/** `DIR/<key>.mp4` for each key; two keys that would write one file are a problem. */
function fileNames(jobs: Job[], dir: string, name: string, problems: string[]): Map<string, string> {
  const byName = new Map<string, string>();
  const files = new Map<string, string>();
  for (const { line, item } of jobs) {
    const file = `${item.key.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_")}.mp4`;
    const other = byName.get(file);
    if (other !== undefined && other !== item.key) {
      problems.push(
        `${name}:${line}  jobs-file-name  keys ${JSON.stringify(other)} and ${JSON.stringify(item.key)} would both be saved as ${file}`,
      );
    }
    byName.set(file, item.key);
    files.set(item.key, join(dir, file));
  }
  return files;
}

/** Every video of the task: `<key>.mp4`, then `<key>-2.mp4`, ... */
async function downloadAll(task: Task, file: string, signal: AbortSignal): Promise<string[]> {
  const saved: string[] = [];
  for (let i = 0; i < videoUrls(task).length; i++) {
    const path = i === 0 ? file : file.replace(/\.mp4$/, `-${i + 1}.mp4`);
    await downloadVideo(task, path, { signal, index: i });
    saved.push(path);
  }
  return saved;
}

/** The summary: a table for people, one JSON line with --json. */
function report(output: Output, summary: BatchSummary, journalFile: string): void {
  if (output.json) {
    output.print(JSON.stringify({ summary }));
    return;
  }
  const codes = Object.entries(summary.failedByCode)
    .map(([code, n]) => `${code} x${n}`)
    .join(", ");
  const keys = (list: string[]) => (list.length ? `  ${list.slice(0, 5).join(", ")}${list.length > 5 ? ", ..." : ""}` : "");
  const rows: [string, number, string][] = [
    ["completed", summary.completed, formatCost(summary.cost)],
    ["failed", summary.failed, codes],
    ["outcome unknown", summary.outcomeUnknown.length, keys(summary.outcomeUnknown)],
    ["errors", summary.errors.length, keys(summary.errors)],
    ["not started", summary.notStarted.length, keys(summary.notStarted)],
    [
      "total",
      summary.total,
      summary.earlier ? `${summary.earlier} finished in earlier runs; journal ${journalFile}` : `journal ${journalFile}`,
    ],
  ];
  output.print("");
  for (const [label, n, note] of rows) output.print(`${label.padEnd(16)} ${String(n).padStart(6)}  ${note}`.trimEnd());
  if (summary.stopped && summary.stopped.reason !== "aborted") output.print(`creating stopped: ${summary.stopped.message}`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
