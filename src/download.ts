/// <reference types="node" />
// Node-only (exported from `kirin-api/node`): saving a task's video to a file without ever leaving
// a half file where the video should be. The bytes stream into a hidden `.NAME.part` next to the
// target, are checked against the length the server announced, fsync'd, and only then renamed over
// the target (a rename within one directory is atomic). A connection that breaks is picked up
// where it broke with a Range request (or from the start when the server ignores ranges); a
// process that dies leaves at most the `.part` file, which the next download of that path
// overwrites.
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { apiError, KirinConnectionError, KirinError } from "./errors.js";
import { syncDirectory } from "./journal-file.js";
import { abortError, isTransient, parseRetryAfter, retryDelay, sleep, throwIfAborted } from "./retry.js";
import { videoUrls } from "./task.js";
import { systemCode } from "./transport.js";
import type { Task } from "./types.js";

export interface DownloadProgress {
  receivedBytes: number;
  /** From Content-Length or Content-Range; undefined when the server did not say. */
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive (and once at 0). */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Further requests after a broken connection, a short body or an answer the retry policy calls
   * transient (408, 429, 5xx), each after the server's Retry-After or backoff (default 3).
   */
  retries?: number;
  /** A standard fetch (default globalThis.fetch). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Which of the task's videos, in output order (default 0). */
  index?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  url: string;
}

const DEFAULT_RETRIES = 3;

/**
 * Downloads the video of a completed task (or a URL) to `path`. Resolves once the file is complete,
 * of the announced length and on disk; rejects with KirinApiError (an HTTP error that retrying did
 * not fix), KirinConnectionError (the connection kept breaking), or KirinAbortError - and then
 * no file is at `path` that was not there before, and no `.part` file is left.
 */
export async function downloadVideo(task: Task | string, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const url = typeof task === "string" ? task : videoUrls(task)[options.index ?? 0];
  if (!url) {
    const t = task as Task;
    throw new KirinError(`Task ${t.id} has no video${options.index ? ` #${options.index + 1}` : ""} to download (status ${t.status})`);
  }
  const { signal, onProgress } = options;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const fetcher = options.fetch ?? ((u: string, init: RequestInit) => globalThis.fetch(u, init));
  throwIfAborted(signal);
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.part`);
  // "w" truncates: a `.part` left by a process that died is not trusted, only overwritten.
  let handle: FileHandle | undefined = await open(temp, "w");
  let received = 0;
  let total: number | undefined;
  const report = () => onProgress?.({ receivedBytes: received, totalBytes: total });
  try {
    report();
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await request(fetcher, url, received, signal);
        const range = contentRange(response);
        if (response.status === 206 && range?.start === received) {
          total = range.total ?? total;
        } else if (response.ok && response.status !== 206) {
          // A whole answer (the server ignored the range, or this is the first request): start over.
          if (received > 0) {
            received = 0;
            await handle.truncate(0);
          }
          total = announcedLength(response);
        } else {
          await response.body?.cancel().catch(() => {});
          throw response.ok
            ? new KirinConnectionError(`The server answered a range that does not start at byte ${received}`)
            : apiError({ status: response.status, body: undefined, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) });
        }
        report();
        await receive(response, async (chunk) => {
          await handle!.write(chunk, 0, chunk.length, received);
          received += chunk.length;
          report();
        });
        if (total !== undefined && received !== total) {
          throw new KirinConnectionError(`The connection ended after ${received} of ${total} bytes`);
        }
        break;
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        if (!isTransient(error) || attempt >= retries) throw error;
        await sleep(retryDelay(error, attempt + 1).delayMs, signal);
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    await syncDirectory(dirname(path));
    return { path, bytes: received, url };
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** One GET, from byte `from` on; a failure to get any answer becomes KirinConnectionError. */
async function request(
  fetcher: NonNullable<DownloadOptions["fetch"]>,
  url: string,
  from: number,
  signal: AbortSignal | undefined,
): Promise<Response> {
  try {
    return await fetcher(url, { signal: signal ?? null, headers: from > 0 ? { range: `bytes=${from}-` } : {} });
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw new KirinConnectionError(`The download failed to connect: ${(error as Error).message}`, {
      cause: error,
      code: systemCode(error),
    });
  }
}

/** Streams the body to `write`; a failure of the connection (not of `write`) becomes KirinConnectionError. */
async function receive(response: Response, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new KirinConnectionError(`The connection broke during the download: ${(error as Error).message}`, {
          cause: error,
          code: systemCode(error),
        });
      }
      if (next.done) return;
      await write(next.value);
    }
  } finally {
    reader.releaseLock();
  }
}

/** The body's length in bytes when the server announced it (not for a compressed body, which fetch inflates). */
function announcedLength(response: Response): number | undefined {
  const encoding = response.headers.get("content-encoding");
  if (encoding && encoding !== "identity") return undefined;
  const length = Number(response.headers.get("content-length") ?? NaN);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`). */
function contentRange(response: Response): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === "*" ? undefined : Number(match[2]) };
}
