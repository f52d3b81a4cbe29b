// Receiving the task the server POSTs to `callback_url` on each status change.
//
// parseCallback first normalises the gateway's known variants (status synonyms, `error` as
// `{code, message}` or a string, numeric-string durations - the same reading as polling, see
// task.ts) and then checks the result against the contract's Task schema with the generated
// validator. So the contract's own shape always passes, a known variant passes in its contract
// form, and anything else - including a status nobody documented - is rejected with the field at
// fault. (Polling treats an unknown status as "still running" because it can ask again; a
// callback that is refused is simply sent again, so refusing is the safe answer here.)
import { validateTask } from "../generated/validators.js";
import { KirinValidationError } from "./errors.js";
import { normalizeTask } from "./task.js";
import type { Task, ValidationIssue } from "./types.js";

/** The task in a callback payload (object or JSON text); throws KirinValidationError otherwise. */
export function parseCallback(body: unknown): Task {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      throw new KirinValidationError([{ path: "", rule: "json", message: "the callback body is not JSON", severity: "error" }], "callback");
    }
  }
  const task = normalizeTask(value);
  if (!validateTask(task)) {
    const issues: ValidationIssue[] = (validateTask.errors ?? []).map((e) => {
      const missing = e.keyword === "required" ? String(e.params.missingProperty ?? "") : "";
      const path = missing ? `${e.instancePath}/${missing}` : e.instancePath;
      const got = missing ? "" : ` (got ${preview(pick(task, e.instancePath))})`;
      return { path, rule: e.keyword, message: `${missing ? "is required" : (e.message ?? "is invalid")}${got}`, severity: "error" };
    });
    throw new KirinValidationError(issues, "callback");
  }
  return task;
}

export interface CallbackHandlerOptions {
  /** How many notifications to remember for de-duplication (default 1,000). */
  remember?: number;
}

/**
 * A Fetch API handler (`Request` -> `Response`) for callback notifications, for edge runtimes,
 * Deno, Bun, and Node via `toNodeListener` in `kirin-api`'s node module.
 *
 * 200 only once `onTask` has accepted the task; 400 for a payload outside the contract; 405 for
 * anything but POST; 500 when `onTask` throws (so the server sends it again). The same
 * notification (task id, status and progress) is handed to `onTask` once: a repeat, even one that
 * arrives while the first is still being handled, gets the first one's answer.
 */
export function createCallbackHandler(
  onTask: (task: Task) => void | Promise<void>,
  options: CallbackHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const remember = options.remember ?? 1_000;
  const seen = new Map<string, Promise<void>>();
  return async (request) => {
    if (request.method !== "POST") return json(405, { error: { code: "method_not_allowed", message: "POST only" } });
    let task: Task;
    try {
      task = parseCallback(await request.text());
    } catch (error) {
      const issues = error instanceof KirinValidationError ? error.issues : [];
      return json(400, { error: { code: "invalid_request", message: (error as Error).message, issues } });
    }
    const key = `${task.id}|${task.status}|${task.progress ?? ""}`;
    let handled = seen.get(key);
    const duplicate = handled !== undefined;
    if (!handled) {
      handled = Promise.resolve().then(() => onTask(task));
      seen.set(key, handled);
      if (seen.size > remember) seen.delete(seen.keys().next().value!);
    }
    try {
      await handled;
      return json(200, { received: true, duplicate });
    } catch {
      // Forget it, so the server's next attempt is handled afresh.
      if (seen.get(key) === handled) seen.delete(key);
      return json(500, { error: { code: "internal_error", message: "the callback handler failed" } });
    }
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function pick(value: unknown, pointer: string): unknown {
  let v = value;
  for (const part of pointer.split("/").slice(1)) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
