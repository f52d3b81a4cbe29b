// The batch journal: what a batch has sent and learnt, one JSON line per fact, only ever appended.
// It is how a batch that was killed resumes without paying twice for a video:
//
//   start    the external_task_id a create is about to use - written (and on Node fsync'd) BEFORE
//            the create is sent, so that a create that may have reached the server is never lost
//   unsent   that create provably made nothing (the server refused it: 402, 400, 429 to the end)
//   created  the task id the create answered with (or a look-up found)
//   end      the key's final result: completed (and downloaded), or failed for good
//
// Replaying the lines gives each key's phase (`replayJournal`), which decides what a rerun does:
// nothing after `end`, poll after `created`, look up by external_task_id after a bare `start`,
// create after `unsent` or for a key the journal has never seen. A line is a fact only once it is
// whole: a process killed in the middle of an append leaves a torn last line, which is dropped -
// the create it announced was never sent, since sending waits for the append.
//
// This module is the format and its meaning, browser-safe; `openJournal` in `kirin-api/node`
// keeps it in a file with fsync.
import type { BatchResult } from "./batch.js";
import { KirinError } from "./errors.js";

export const JOURNAL_VERSION = 1;

interface EntryBase {
  v: typeof JOURNAL_VERSION;
  key: string;
  /** ISO time of writing, for people reading the file. */
  at: string;
}

export type JournalEntry =
  | (EntryBase & {
      type: "start";
      external_task_id: string;
      /** 1 for the first create of the key, 2 for the first one made again after 006001094, ... */
      attempt: number;
      /** SHA-256 of the request as given, to notice a job line that changed between runs. */
      request_hash: string;
    })
  | (EntryBase & { type: "unsent"; external_task_id: string; reason: string })
  | (EntryBase & { type: "created"; external_task_id: string; task_id: string })
  | (EntryBase & { type: "end"; result: BatchResult });

/** An entry without its version and time: what the batch states, before the journal stamps it. */
export type JournalFact = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, "v" | "at"> : never) : never;

/** Where a batch keeps its journal: in memory, a file (`openJournal`), anything durable. */
export interface BatchJournal {
  /** The entries written before this run, oldest first. */
  readonly entries: readonly JournalEntry[];
  /** Adds one entry; resolves once it is durable (a create waits for its `start`). */
  append(entry: JournalEntry): Promise<void>;
}

/** A journal that lives as long as the process: for tests, browsers, or a store you copy it to. */
export function memoryJournal(entries: JournalEntry[] = []): BatchJournal & { entries: JournalEntry[] } {
  return {
    entries,
    async append(entry) {
      entries.push(entry);
    },
  };
}

/**
 * What the journal says about one key:
 * - `unsent`: no create of it can have made a task (the last one was refused) - send again;
 * - `sent`: a create was (or may have been) sent and no answer was recorded - look it up;
 * - `created`: its task exists - follow it;
 * - `ended`: done for good (`result`).
 */
export interface KeyState {
  phase: "unsent" | "sent" | "created" | "ended";
  /** The external_task_id of the latest create. */
  externalTaskId: string;
  attempt: number;
  requestHash: string;
  taskId?: string;
  result?: BatchResult;
}

/** Folds entries into each key's state, in order; later facts win. */
export function replayJournal(entries: readonly JournalEntry[]): Map<string, KeyState> {
  const states = new Map<string, KeyState>();
  for (const entry of entries) {
    const state = states.get(entry.key);
    switch (entry.type) {
      case "start":
        states.set(entry.key, {
          phase: "sent",
          externalTaskId: entry.external_task_id,
          attempt: entry.attempt,
          requestHash: entry.request_hash,
        });
        break;
      case "unsent":
        if (state && state.externalTaskId === entry.external_task_id) state.phase = "unsent";
        break;
      case "created":
        if (state && state.externalTaskId === entry.external_task_id) {
          state.phase = "created";
          state.taskId = entry.task_id;
        }
        break;
      case "end":
        if (state) {
          state.phase = "ended";
          state.result = entry.result;
          if (entry.result.taskId !== undefined) state.taskId = entry.result.taskId;
        }
        break;
    }
  }
  return states;
}

/** One entry as its line in the file. */
export function journalLine(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The journal cannot be read as one: nothing is resumed (or sent) from a guess. */
export class KirinJournalError extends KirinError {
  override name = "KirinJournalError";
}

/**
 * The entries of a journal file's text. A last line without its newline is torn (the process died
 * while writing it) and is left out; `wholeLength` is where the whole lines end, so the file can be
 * cut back there before anything is appended. Any other line that is not an entry means the file
 * is not a journal or was damaged: that throws, rather than resume from a guess.
 */
export function parseJournal(text: string, name = "journal"): { entries: JournalEntry[]; wholeLength: number } {
  const end = text.lastIndexOf("\n") + 1;
  const entries: JournalEntry[] = [];
  const lines = text.slice(0, end).split("\n");
  lines.pop(); // the empty string after the last newline
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new KirinJournalError(`${name} line ${i + 1} is not JSON: the file is not a batch journal, or it was damaged`);
    }
    if (!isEntry(entry)) {
      throw new KirinJournalError(`${name} line ${i + 1} is not a journal entry of version ${JOURNAL_VERSION}: ${line.slice(0, 120)}`);
    }
    entries.push(entry);
  });
  return { entries, wholeLength: new TextEncoder().encode(text.slice(0, end)).length };
}

function isEntry(value: unknown): value is JournalEntry {
  if (!value || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  if (e.v !== JOURNAL_VERSION || typeof e.key !== "string") return false;
  switch (e.type) {
    case "start":
      return typeof e.external_task_id === "string" && typeof e.attempt === "number" && typeof e.request_hash === "string";
    case "unsent":
      return typeof e.external_task_id === "string";
    case "created":
      return typeof e.external_task_id === "string" && typeof e.task_id === "string";
    case "end":
      return !!e.result && typeof e.result === "object";
    default:
      return false;
  }
}
