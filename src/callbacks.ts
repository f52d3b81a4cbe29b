// Receiving the task the server POSTs to `callback_url` on each status change.
//
// parseCallback reads a callback exactly as polling reads an answer (wire.ts): every form the
// gateway sends is accepted and comes out in the documented form; only a body that is not a task
// (no `id`, no `status`) is refused. A refused callback is one the gateway keeps sending, so the
// bar is "is this a task", never "is this the documented form".
//
// The gateway signs nothing, and its notifications can repeat and arrive out of order. So the
// handler can confirm each one with the API before acting on it (`verify`), can require a secret
// in the callback URL (`token`), and never lets a task's status move backwards: a final status
// (`completed`, `failed`) is never followed by an earlier one, and a repeat is acknowledged but
// not handed on twice.
import { KirinError, KirinNotFoundError, KirinValidationError } from "./errors.js";
import { isTransient } from "./retry.js";
import type { Task } from "./types.js";
import { readTask, taskStatusOf } from "./wire.js";

/** The task in a callback payload (object, JSON text or bytes); throws KirinValidationError for a non-task. */
export function parseCallback(body: unknown): Task {
  let value = body;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) value = new TextDecoder().decode(body);
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new KirinValidationError([{ path: "", rule: "json", message: "the callback body is not JSON", severity: "error" }], "callback");
    }
  }
  const reading = readTask(value);
  if (reading.issues) throw new KirinValidationError(reading.issues, "callback");
  return reading.task;
}

/** What the handler last handed to `onTask` for a task. */
export interface CallbackSeen {
  status: string;
  progress?: number | undefined;
}

/**
 * Where the handler remembers, per task id, the last state it handed on. The default keeps the
 * latest tasks in memory; a service with several instances plugs in a shared one (Redis, a table).
 */
export interface CallbackStore {
  get(taskId: string): CallbackSeen | undefined | Promise<CallbackSeen | undefined>;
  set(taskId: string, seen: CallbackSeen): void | Promise<void>;
}

export interface CallbackHandlerOptions {
  /**
   * Confirm each notification with the API before `onTask` runs: `onTask` then gets the task as
   * `getTask` answers it, never the posted body, so a forged callback cannot plant a result. Pass
   * the client (or any `getTask`). Recommended: the gateway signs nothing.
   */
  verify?: { getTask(id: string, options?: { signal?: AbortSignal }): Promise<Task> };
  /**
   * A secret the callback URL must carry as `?token=...` (give the gateway
   * `https://your.app/kirin/callback?token=SECRET` as `callback_url`). Requests without it get 403.
   */
  token?: string;
  /** Where to remember what was handed on (default: the latest `remember` tasks, in memory). */
  store?: CallbackStore;
  /** How many tasks the default store remembers (default 10,000). */
  remember?: number;
}

/**
 * A Fetch API handler (`Request` -> `Response`) for callback notifications, for edge runtimes,
 * Deno, Bun, and Node via `toNodeListener` in `kirin-api/node`.
 *
 * 200 for every task it accepts - the first time, a repeat, or a late notification that would move
 * the status backwards (those two are acknowledged, not handed on). 400 for a body that is not a
 * task; 403 without the `token`; 405 for anything but POST; 500 when `onTask` throws and 503 when
 * `verify` cannot reach the API, so the server sends it again.
 */
export function createCallbackHandler(
  onTask: (task: Task) => void | Promise<void>,
  options: CallbackHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const store = options.store ?? memoryStore(options.remember ?? 10_000);
  // Notifications of one task are decided one after another, so two copies arriving together
  // are not both handed on.
  const queues = new Map<string, Promise<unknown>>();

  return async (request) => {
    if (request.method !== "POST") return json(405, { error: { code: "method_not_allowed", message: "POST only" } });
    if (options.token !== undefined && !sameSecret(new URL(request.url).searchParams.get("token") ?? "", options.token)) {
      return json(403, { error: { code: "forbidden", message: "the callback URL's token is missing or wrong" } });
    }
    let posted: Task;
    try {
      posted = parseCallback(await request.text());
    } catch (error) {
      const issues = error instanceof KirinValidationError ? error.issues : [];
      return json(400, { error: { code: "invalid_request", message: (error as Error).message, issues } });
    }
    const previous = queues.get(posted.id) ?? Promise.resolve();
    const turn = previous.then(
      () => handle(posted),
      () => handle(posted),
    );
    queues.set(posted.id, turn);
    try {
      return await turn;
    } finally {
      if (queues.get(posted.id) === turn) queues.delete(posted.id);
    }
  };

  async function handle(posted: Task): Promise<Response> {
    let task = posted;
    if (options.verify) {
      try {
        task = await options.verify.getTask(posted.id);
      } catch (error) {
        if (error instanceof KirinNotFoundError) {
          return json(400, { error: { code: "unknown_task", message: `the API knows no task '${posted.id}'` } });
        }
        const retry = !(error instanceof KirinError) || isTransient(error);
        return json(retry ? 503 : 500, { error: { code: "verify_failed", message: "the task could not be confirmed with the API" } });
      }
      // The API has not caught up with the notification yet: ask for it again rather than hand on
      // an older state and acknowledge (and so lose) the newer one.
      if (rank(task.status) < rank(posted.status)) {
        return json(503, {
          error: { code: "not_confirmed_yet", message: `the API does not show task '${posted.id}' as ${posted.status} yet` },
        });
      }
    }
    const seen = await store.get(task.id);
    const verdict = seen ? compare(task, seen) : "newer";
    if (verdict !== "newer") return json(200, { received: true, [verdict]: true });
    try {
      await onTask(task);
    } catch {
      // Not remembered, so the server's next attempt is handled afresh.
      return json(500, { error: { code: "internal_error", message: "the callback handler failed" } });
    }
    await store.set(task.id, { status: task.status, ...(task.progress !== undefined && { progress: task.progress }) });
    return json(200, { received: true });
  }
}

/** Where a status stands in the lifecycle: final statuses last, an unknown one counts as running. */
function rank(status: string): number {
  const known = taskStatusOf(status);
  return known === "completed" || known === "failed" ? 2 : known === "pending" ? 0 : 1;
}

/** A notification against what was handed on: news, the same again, or older than that. */
function compare(task: Task, seen: CallbackSeen): "newer" | "duplicate" | "stale" {
  const [now, before] = [rank(task.status), rank(seen.status)];
  if (before === 2) return task.status === seen.status ? "duplicate" : "stale";
  if (now !== before) return now > before ? "newer" : "stale";
  if (task.status !== seen.status) return "newer";
  const [p, q] = [task.progress ?? -1, seen.progress ?? -1];
  return p > q ? "newer" : p === q ? "duplicate" : "stale";
}

/** The default store: the latest `size` tasks, the oldest forgotten first. */
function memoryStore(size: number): CallbackStore {
  const seen = new Map<string, CallbackSeen>();
  return {
    get: (id) => seen.get(id),
    set(id, value) {
      seen.delete(id);
      seen.set(id, value);
      if (seen.size > size) seen.delete(seen.keys().next().value!);
    },
  };
}

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
