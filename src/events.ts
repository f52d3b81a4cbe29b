// What the client tells its caller while it works: every request and response (for tracing and
// logs), and every retry (so a UI can say "reconnecting in 4 s"). Hooks are observers: one that
// throws is ignored, and none can change a request.
import type { KirinError } from "./errors.js";

/**
 * Which call a request belongs to: `create` (POST), `lookup` (a create's look-up of its own
 * `external_task_id` after an unclear failure), `get` (getTask) or `poll` (waitForTask).
 */
export type Operation = "create" | "lookup" | "get" | "poll";

export interface RequestEvent {
  operation: Operation;
  /** 1 for the first try of this operation, 2 for its first retry, ... */
  attempt: number;
  method: string;
  /** The URL asked for (it never holds the API key). */
  url: string;
}

export interface ResponseEvent extends RequestEvent {
  /** The HTTP status, or undefined when no answer came (connection failure, timeout). */
  status: number | undefined;
  latencyMs: number;
  /** The server's `x-request-id`, when it sent one. */
  requestId: string | undefined;
  /** The error this answer became, if it was one. */
  error: KirinError | undefined;
}

export interface RetryEvent {
  operation: Operation;
  /** The attempt about to be made after the wait (2 for the first retry). */
  attempt: number;
  /** The status that failed (`"429"`, `"503"`), or `network ECONNRESET`, `timeout`. */
  reason: string;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** Whether the wait is the server's `Retry-After` (rather than backoff). */
  fromRetryAfter: boolean;
  error: KirinError;
}

export interface ClientHooks {
  onRequest?: (event: RequestEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
}

/** Where log lines go: `console` fits, so do pino and winston loggers. */
export interface Logger {
  error(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
}

/** `error` logs answers that failed for good; `warn` (and `info`) add retries; `debug` adds every request and response. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Hooks that write to `logger` at `level`: the client's `logger` option. */
export function loggingHooks(logger: Logger, level: LogLevel): ClientHooks {
  const at = (wanted: LogLevel) => RANK[level] >= RANK[wanted];
  return {
    onRequest: (e) => at("debug") && logger.debug(`kirin ${e.operation} #${e.attempt} ${e.method} ${e.url}`, e),
    onResponse: (e) => {
      const line = `kirin ${e.operation} #${e.attempt} ${e.status ?? "no answer"} in ${Math.round(e.latencyMs)} ms${e.requestId ? ` (request ${e.requestId})` : ""}`;
      if (e.error && at("error") && e.error.category !== "retry-later") logger.error(`${line}: ${e.error.message}`, e);
      else if (at("debug")) logger.debug(line, e);
    },
    onRetry: (e) =>
      at("warn") && logger.warn(`kirin ${e.operation} retry #${e.attempt} in ${Math.round(e.delayMs)} ms after ${e.reason}`, e),
  };
}

/** One set of hooks that calls each given set in turn; a hook that throws does not stop the others. */
export function combineHooks(...sets: (ClientHooks | undefined)[]): Required<ClientHooks> {
  const call =
    <E>(pick: (h: ClientHooks) => ((e: E) => void) | undefined) =>
    (event: E) => {
      for (const hooks of sets) {
        const hook = hooks && pick(hooks);
        if (!hook) continue;
        try {
          hook(event);
        } catch {
          // An observer's failure is not the request's.
        }
      }
    };
  return { onRequest: call((h) => h.onRequest), onResponse: call((h) => h.onResponse), onRetry: call((h) => h.onRetry) };
}
