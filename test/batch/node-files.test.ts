// The Node modules of the batch: the journal file (fsync'd appends, a torn tail cut, a lock against
// a second batch on it) and downloadVideo (no half file at the target, ever; a broken connection
// resumed with a range; the announced length checked).
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KirinAbortError, KirinConnectionError, KirinNotFoundError } from "../../src/errors.js";
import { type JournalEntry, journalLine, KirinJournalError } from "../../src/journal.js";
import { downloadVideo, openJournal } from "../../src/node.js";

const dir = () => mkdtempSync(join(tmpdir(), "kirin-files-"));
const at = "2026-11-23T00:00:00.000Z";
const start = (key: string): JournalEntry => ({
  v: 1,
  at,
  type: "start",
  key,
  external_task_id: `${key}-1`,
  attempt: 1,
  request_hash: "h",
});

describe("openJournal", () => {
  it("appends whole lines that a reopened journal reads back", async () => {
    const path = join(dir(), "jobs.journal");
    const journal = await openJournal(path);
    expect(journal.entries).toEqual([]);
    await Promise.all(["a", "b", "c"].map((k) => journal.append(start(k))));
    await journal.close();
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(4);
    const again = await openJournal(path);
    expect(again.entries.map((e) => e.key).sort()).toEqual(["a", "b", "c"]);
    await again.close();
  });

  it("cuts a torn last line before appending, so the next entry starts on its own line", async () => {
    const path = join(dir(), "jobs.journal");
    writeFileSync(path, `${journalLine(start("a"))}{"v":1,"type":"start","key":"b","exte`);
    const journal = await openJournal(path);
    expect(journal.entries.map((e) => e.key)).toEqual(["a"]);
    await journal.append(start("c"));
    await journal.close();
    expect(readFileSync(path, "utf8")).toBe(journalLine(start("a")) + journalLine(start("c")));
  });

  it("refuses a second batch on a journal in use, and takes over the lock of a process that is gone", async () => {
    const path = join(dir(), "jobs.journal");
    const journal = await openJournal(path);
    await expect(openJournal(path)).rejects.toThrow(KirinJournalError);
    await expect(openJournal(path)).rejects.toThrow(/in use by process \d+/);
    await journal.close();
    // A batch killed with SIGKILL leaves its lock behind; its pid is then no process.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(`${path}.lock`, `${gone}\n`);
    const resumed = await openJournal(path);
    await resumed.append(start("z"));
    await resumed.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("refuses to resume from a file that is not a journal", async () => {
    const path = join(dir(), "notes.txt");
    writeFileSync(path, "my notes\nmore notes\n");
    await expect(openJournal(path)).rejects.toThrow(/line 1 is not JSON/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

const VIDEO = readFileSync("mock/core/media/sample-16x9.mp4");

type Handler = (req: IncomingMessage, res: ServerResponse, request: number) => void;
let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A video server whose every request goes through `handler` (with the request's number, from 1). */
async function serve(handler: Handler): Promise<{ url: string; ranges: (string | undefined)[] }> {
  const ranges: (string | undefined)[] = [];
  server = createServer((req, res) => {
    ranges.push(req.headers.range);
    handler(req, res, ranges.length);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`, ranges };
}

/** Sends the video from the requested byte on; `cutAfter` bytes into the body the connection is destroyed. */
function send(req: IncomingMessage, res: ServerResponse, options: { cutAfter?: number; ranges?: boolean } = {}) {
  const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const from = match && options.ranges !== false ? Number(match[1]) : 0;
  const body = VIDEO.subarray(from);
  const headers = { "content-type": "video/mp4", "content-length": body.length };
  if (from > 0) res.writeHead(206, { ...headers, "content-range": `bytes ${from}-${VIDEO.length - 1}/${VIDEO.length}` });
  else res.writeHead(200, headers);
  if (options.cutAfter === undefined) return void res.end(body);
  res.write(body.subarray(0, options.cutAfter), () => setTimeout(() => res.destroy(), 20));
}

const listing = (folder: string) => readdirSync(folder).sort();

describe("downloadVideo", () => {
  it("saves the video whole, reporting bytes as they come", async () => {
    const { url } = await serve((req, res) => send(req, res));
    const folder = dir();
    const seen: number[] = [];
    const saved = await downloadVideo(url, join(folder, "a.mp4"), { onProgress: (p) => seen.push(p.receivedBytes) });
    expect(saved.bytes).toBe(VIDEO.length);
    expect(readFileSync(join(folder, "a.mp4")).equals(VIDEO)).toBe(true);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(VIDEO.length);
    expect(listing(folder)).toEqual(["a.mp4"]);
  });

  it("picks up a broken connection where it broke, with a range request", async () => {
    const { url, ranges } = await serve((req, res, n) => send(req, res, n === 1 ? { cutAfter: 10_000 } : {}));
    const folder = dir();
    await downloadVideo(url, join(folder, "b.mp4"));
    expect(readFileSync(join(folder, "b.mp4")).equals(VIDEO)).toBe(true);
    expect(ranges).toEqual([undefined, "bytes=10000-"]);
  });

  it("starts over when the server ignores the range", async () => {
    const { url, ranges } = await serve((req, res, n) => send(req, res, { ranges: false, ...(n === 1 && { cutAfter: 10_000 }) }));
    const folder = dir();
    await downloadVideo(url, join(folder, "c.mp4"));
    expect(readFileSync(join(folder, "c.mp4")).equals(VIDEO)).toBe(true);
    expect(ranges).toEqual([undefined, "bytes=10000-"]);
  });

  it("leaves no file and no .part behind when the body keeps coming up short", async () => {
    const { url, ranges } = await serve((req, res) => send(req, res, { cutAfter: 1_000, ranges: false }));
    const folder = dir();
    writeFileSync(join(folder, ".d.mp4.part"), "left by a process that was killed");
    const error = await downloadVideo(url, join(folder, "d.mp4"), { retries: 2 }).catch((e) => e);
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect(ranges).toHaveLength(3);
    expect(listing(folder)).toEqual([]);
  });

  it("does not retry a 404, and keeps an existing file as it was", async () => {
    const { url, ranges } = await serve((_req, res) => void res.writeHead(404).end());
    const folder = dir();
    writeFileSync(join(folder, "e.mp4"), "the old video");
    const error = await downloadVideo(url, join(folder, "e.mp4")).catch((e) => e);
    expect(error).toBeInstanceOf(KirinNotFoundError);
    expect(ranges).toHaveLength(1);
    expect(readFileSync(join(folder, "e.mp4"), "utf8")).toBe("the old video");
    expect(listing(folder)).toEqual(["e.mp4"]);
  });

  it("retries a 503", async () => {
    const { url, ranges } = await serve((req, res, n) => (n === 1 ? void res.writeHead(503).end() : send(req, res)));
    const folder = dir();
    await downloadVideo(url, join(folder, "f.mp4"));
    expect(ranges).toHaveLength(2);
    expect(readFileSync(join(folder, "f.mp4")).equals(VIDEO)).toBe(true);
  });

  it("waits a 429's Retry-After before asking again, as the client does (not a half-second backoff)", async () => {
    const times: number[] = [];
    const { url, ranges } = await serve((req, res, n) => {
      times.push(Date.now());
      return n === 1 ? void res.writeHead(429, { "retry-after": "1" }).end() : send(req, res);
    });
    const folder = dir();
    await downloadVideo(url, join(folder, "r.mp4"));
    expect(ranges).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it("stops at once on abort, removing the .part", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-length": VIDEO.length });
      res.write(VIDEO.subarray(0, 5_000)); // and then nothing more
    });
    const folder = dir();
    const controller = new AbortController();
    const reason = new Error("user stopped");
    const pending = downloadVideo(url, join(folder, "g.mp4"), {
      signal: controller.signal,
      onProgress: (p) => p.receivedBytes > 0 && controller.abort(reason),
    });
    await expect(pending).rejects.toThrow(KirinAbortError);
    await expect(pending).rejects.toMatchObject({ cause: reason });
    expect(listing(folder)).toEqual([]);
  });

  it("stops at once on abort while it waits to retry, and asks nothing more", async () => {
    const { url, ranges } = await serve((_req, res) => void res.writeHead(503, { "retry-after": "30" }).end());
    const folder = dir();
    const controller = new AbortController();
    const reason = new Error("user stopped");
    const pending = downloadVideo(url, join(folder, "w.mp4"), { signal: controller.signal }).catch((e: unknown) => e);
    while (ranges.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // the answer read, the 30 s wait begun
    const started = Date.now();
    controller.abort(reason);
    expect(await pending).toMatchObject({ name: "KirinAbortError", cause: reason });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ranges).toHaveLength(1);
    expect(listing(folder)).toEqual([]);
  });

  it("with a signal already aborted: asks nothing and writes nothing", async () => {
    const { url, ranges } = await serve((req, res) => send(req, res));
    const folder = dir();
    await expect(downloadVideo(url, join(folder, "x.mp4"), { signal: AbortSignal.abort() })).rejects.toThrow(KirinAbortError);
    expect(ranges).toHaveLength(0);
    expect(listing(folder)).toEqual([]);
  });

  it("names a task without a video", async () => {
    await expect(downloadVideo({ id: "task_1", status: "processing" } as never, join(dir(), "h.mp4"))).rejects.toThrow(
      /task_1 has no video to download \(status processing\)/,
    );
  });
});
