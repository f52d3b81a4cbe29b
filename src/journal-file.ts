/// <reference types="node" />
// Node-only (exported from `kirin-api/node`): the batch journal in a file. Each entry is one JSON
// line, appended and fsync'd before `append` resolves, so a create never leaves before its `start`
// is on disk. Appends that arrive while an fsync runs share the next one (group commit): a batch
// of 128 tasks in flight costs a handful of fsyncs a second, not one per line.
//
// Opening it cuts a torn last line (a process killed mid-append) so that the next line starts on
// its own, and takes a lock file next to it: two batches on one journal would each think the
// other's creates unsent. A lock whose process is gone (killed) is taken over.
import { constants } from "node:fs";
import { type FileHandle, open, readFile, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type BatchJournal, type JournalEntry, journalLine, KirinJournalError, parseJournal } from "./journal.js";

export interface FileJournal extends BatchJournal {
  readonly path: string;
  /** Waits for pending appends, closes the file and releases the lock. */
  close(): Promise<void>;
}

/** Opens (or creates) the journal at `path`, with the entries it already holds. */
export async function openJournal(path: string): Promise<FileJournal> {
  const lock = `${path}.lock`;
  await takeLock(lock, path);
  try {
    let text = "";
    let existed = true;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      existed = false;
    }
    const { entries, wholeLength } = parseJournal(text, path);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o644);
    if (wholeLength < Buffer.byteLength(text)) {
      await handle.truncate(wholeLength);
      await handle.datasync();
    }
    // A new file is durable only once its directory entry is.
    if (!existed) await syncDirectory(dirname(path));
    return fileJournal(path, lock, handle, entries);
  } catch (error) {
    await unlink(lock).catch(() => {});
    throw error;
  }
}

function fileJournal(path: string, lock: string, handle: FileHandle, entries: JournalEntry[]): FileJournal {
  let queue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;
  let broken: unknown;
  let closed = false;

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        if (broken) throw broken;
        await handle.write(group.map((g) => g.line).join(""));
        await handle.datasync();
        for (const g of group) g.resolve();
      } catch (error) {
        // After a failed write the file's end is unknown: every later append fails too.
        broken ??= error;
        for (const g of group) g.reject(error);
      }
    }
    flushing = undefined;
  }

  return {
    path,
    entries,
    append(entry) {
      if (closed) return Promise.reject(new KirinJournalError(`${path} is closed`));
      return new Promise<void>((resolve, reject) => {
        queue.push({ line: journalLine(entry), resolve, reject });
        flushing ??= flush();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await flushing;
      await handle.close();
      await unlink(lock).catch(() => {});
    },
  };
}

async function takeLock(lock: string, path: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || tries > 0) throw error;
    }
    const pid = Number((await readFile(lock, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new KirinJournalError(
        `${path} is in use by process ${pid} (another batch on the same journal would send creates this one thinks unsent); ` +
          `wait for it to end, or delete ${lock} if no such process runs this batch`,
      );
    }
    // Its process is gone (killed, or the machine restarted): the lock is stale.
    await unlink(lock).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** fsync of a directory, so that a file created or renamed in it survives a crash; not every platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Windows refuses to open or sync a directory; its file system orders this itself.
  } finally {
    await handle?.close().catch(() => {});
  }
}
