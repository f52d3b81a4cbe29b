// Reading a task the way the gateway really sends it. Its own material disagrees on status names
// and error shapes (FACTS.md section 1); users of other video APIs lose finished, billed jobs to
// clients that meet a status they do not know. So every task that enters this library goes through
// `normalizeTask` once, and the rest of the code only sees the contract's shape.
import type { Task, TaskStatus } from "./types.js";

const STATUS_SYNONYMS: Record<string, TaskStatus> = {
  pending: "pending", queued: "pending", in_queue: "pending", waiting: "pending", submitted: "pending", created: "pending",
  processing: "processing", in_progress: "processing", running: "processing", started: "processing", generating: "processing",
  completed: "completed", complete: "completed", success: "completed", succeeded: "completed", succeed: "completed", done: "completed", finished: "completed",
  // Cancelled is final too; reporting it as a failure beats polling it until the deadline.
  failed: "failed", failure: "failed", fail: "failed", error: "failed", errored: "failed", cancelled: "failed", canceled: "failed",
};

/** The contract status a gateway status means, or undefined for one nobody has documented. */
export function taskStatusOf(status: unknown): TaskStatus | undefined {
  return typeof status === "string" ? STATUS_SYNONYMS[status.trim().toLowerCase()] : undefined;
}

/**
 * The task in the contract's shape: status synonyms mapped (an unknown status is left as it came,
 * so callers can see it; the poller treats it as still running), `error` as `{code, error_message}`
 * whether it came like that, as `{code, message}` or as a plain string, `progress` as 0-1 (a value
 * above 1 is read as a percentage), a numeric-string `duration` as a number. The input is not
 * modified. Fields the contract does not know are kept.
 */
export function normalizeTask(raw: unknown): Task {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw as Task;
  const task = { ...(raw as Record<string, unknown>) };
  const status = taskStatusOf(task.status);
  if (status) task.status = status;
  if (task.error !== undefined && task.error !== null) task.error = normalizeTaskError(task.error);
  else delete task.error;
  if (typeof task.progress === "string" && task.progress.trim() !== "") task.progress = Number(task.progress);
  if (typeof task.progress === "number" && task.progress > 1 && task.progress <= 100) task.progress /= 100;
  if (Array.isArray(task.output)) task.output = task.output.map(normalizeOutput);
  return task as Task;
}

function normalizeTaskError(error: unknown): unknown {
  if (typeof error === "string") return { code: "unknown", error_message: error };
  if (!error || typeof error !== "object") return error;
  const e = { ...(error as Record<string, unknown>) };
  if (typeof e.code === "number") e.code = String(e.code);
  if (e.code === undefined) e.code = "unknown";
  if (e.error_message === undefined && typeof e.message === "string") {
    e.error_message = e.message;
    delete e.message;
  }
  return e;
}

function normalizeOutput(output: unknown): unknown {
  if (!output || typeof output !== "object" || !Array.isArray((output as { content?: unknown }).content)) return output;
  const content = (output as { content: unknown[] }).content.map((c) => {
    if (!c || typeof c !== "object") return c;
    const d = (c as { duration?: unknown }).duration;
    return typeof d === "string" && d.trim() !== "" && Number.isFinite(Number(d)) ? { ...c, duration: Number(d) } : c;
  });
  return { ...output, content };
}

/** The URLs of the videos a completed task produced, in output order (empty otherwise). */
export function videoUrls(task: Task): string[] {
  const urls: string[] = [];
  for (const output of task.output ?? []) {
    for (const c of output.content ?? []) if (c.type === "video" && typeof c.url === "string") urls.push(c.url);
  }
  return urls;
}

/**
 * What the task cost, in USD, as the exact decimal string the server sent (`"0.0065"`), or
 * undefined before completion. A string because money should not pass through binary floating
 * point on its way to an invoice; `Number(taskCost(task))` when a float is good enough.
 */
export function taskCost(task: Task): string | undefined {
  const cost: unknown = task.usage?.cost;
  if (typeof cost === "number" && Number.isFinite(cost)) return String(cost);
  return typeof cost === "string" && cost !== "" ? cost : undefined;
}
