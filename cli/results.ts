// The results file of `kirin batch` (--out): one JSON line per result, appended as results come.
// A completed or failed line is written once per key, ever: a rerun reads the file first, and a
// result the journal holds as final but the file lacks (the process died between the two) is
// written from the journal. Other outcomes (an error, outcome unknown, not started) are written as
// they happen and are followed by a later line for the same key once a rerun settles it - the
// last line of a key is its state.
import { constants } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import type { BatchResult, JournalEntry } from "../src/index.js";
import { UsageError } from "./context.js";

export interface ResultsFile {
  /** Keys with a completed or failed line. */
  readonly finalKeys: ReadonlySet<string>;
  append(result: BatchResult): Promise<void>;
  close(): Promise<void>;
}

const isFinal = (outcome: string) => outcome === "completed" || outcome === "failed";

export async function openResults(path: string): Promise<ResultsFile> {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const whole = text.slice(0, text.lastIndexOf("\n") + 1);
  const finalKeys = new Set<string>();
  whole.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let result: Partial<BatchResult>;
    try {
      result = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${i + 1} is not a result line (JSON): give --out a new file, or the results file of this batch`);
    }
    if (typeof result.key === "string" && typeof result.outcome === "string" && isFinal(result.outcome)) finalKeys.add(result.key);
  });
  const handle: FileHandle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o644);
  // A torn last line (the process died while writing it) is cut, so the next line starts whole.
  if (Buffer.byteLength(whole) < Buffer.byteLength(text)) await handle.truncate(Buffer.byteLength(whole));
  return {
    finalKeys,
    async append(result) {
      await handle.write(`${JSON.stringify(result)}\n`);
      if (isFinal(result.outcome)) finalKeys.add(result.key);
    },
    async close() {
      await handle.sync();
      await handle.close();
    },
  };
}

/** Final results the journal holds for `keys` that the file does not have yet. */
export function missingFinals(entries: readonly JournalEntry[], results: ResultsFile, keys: ReadonlySet<string>): BatchResult[] {
  const missing = new Map<string, BatchResult>();
  for (const entry of entries) {
    if (entry.type === "end" && keys.has(entry.key) && !results.finalKeys.has(entry.key)) missing.set(entry.key, entry.result);
  }
  return [...missing.values()];
}
