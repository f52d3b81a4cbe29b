// What an answer said besides its task: the server's request id and its Retry-After. They are kept
// beside the task object the answer was read into (never as fields of it, so a task stays the
// documented Task and compares, serialises and logs as one), and read back with the two functions
// below. A task a caller or a fake client made has neither.
import type { Task } from "./types.js";

interface AnswerInfo {
  requestId: string | undefined;
  retryAfterMs: number | undefined;
}

const answers = new WeakMap<object, AnswerInfo>();

/** Records what the answer `task` was read from said besides it (the transport does, for each answer). */
export function rememberAnswer(task: Task, info: AnswerInfo): void {
  if (info.requestId !== undefined || info.retryAfterMs !== undefined) answers.set(task, info);
}

/** `to` was read again from `from` (a task the caller's client returned): it keeps what `from`'s answer said. */
export function keepAnswer(from: Task, to: Task): void {
  const info = answers.get(from);
  if (info) answers.set(to, info);
}

/** The server's `x-request-id` for the answer a task was read from, when it sent one. */
export function requestIdOf(task: Task): string | undefined {
  return answers.get(task)?.requestId;
}

/**
 * The server's `Retry-After` (in ms, capped at 60 s) on the answer a task was read from, when it
 * sent one: `waitForTask` waits at least this long before its next poll.
 */
export function retryAfterOf(task: Task): number | undefined {
  return answers.get(task)?.retryAfterMs;
}
