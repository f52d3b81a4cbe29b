// Helpers over a task in the documented form (what every function of this library returns).
import { KirinValidationError } from "./errors.js";
import type { Task } from "./types.js";
import { costOf, readTask, type TaskContext } from "./wire.js";

/**
 * Any task body the gateway may send, in the documented form (see wire.ts); throws
 * KirinValidationError for a body that is not a task (no `id` or no `status`).
 */
export function normalizeTask(body: unknown, context: TaskContext = {}): Task {
  const reading = readTask(body, context);
  if (reading.issues) throw new KirinValidationError(reading.issues, "task");
  return reading.task;
}

/**
 * The URLs of the videos a completed task produced, in output order (empty otherwise). A resource
 * without `type` counts: the gateway sometimes sends a `url` alone, and these models make videos.
 */
export function videoUrls(task: Task): string[] {
  const urls: string[] = [];
  for (const output of task.output ?? []) {
    for (const c of output.content ?? []) {
      if ((c.type === undefined || c.type === "video") && typeof c.url === "string" && c.url !== "") urls.push(c.url);
    }
  }
  return urls;
}

/**
 * Whether the task carries any output URL at all: a video, an image, a resource without a type. A
 * `completed` task without one has nothing to show (see KirinTaskCompletedWithoutOutputError).
 */
export function hasOutputUrl(task: Task): boolean {
  return (task.output ?? []).some((output) => (output.content ?? []).some((c) => typeof c.url === "string" && c.url !== ""));
}

/**
 * What the task cost, in USD, as the exact decimal string (`"0.0065"`), or undefined when the
 * server gave none (before completion, or an empty cost). A string because money should not pass
 * through binary floating point on its way to an invoice; `Number(taskCost(task))` when a float is
 * good enough. Reads a cost the gateway sent as a number too.
 */
export function taskCost(task: Task): string | undefined {
  return costOf(task.usage?.cost);
}
