// SIGKILL at random moments, then the same command again: in the end every request is done
// exactly once - no task made twice (counted on the mock), none lost, no half-written video or
// results line. `kirin batch` runs as a real child process; each round kills it up to three
// times at a random point of its run (before, during or after creates, polls, downloads and
// journal writes) and then lets it finish. Reproduce a failure with the seed it prints:
// KIRIN_KILL_SEED=<seed> npx vitest run test/cli/kill-resume.test.ts
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { buildCli, finished, startCli } from "../support/cli.js";

const ROUNDS = Number(process.env.KIRIN_KILL_ROUNDS ?? 12);
const PARALLEL = 4;
const JOBS = 12;
const KILLS = 3;
const SEED = Number(process.env.KIRIN_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
// The requests are 1:1: the mock serves its square sample.
const VIDEO = readFileSync("mock/core/media/sample-1x1.mp4");

let cli: string;
let mock: MockServer;
/** Kill points are drawn in this window: the length of an uninterrupted run, timed on this machine. */
let windowMs: number;
beforeAll(async () => {
  [cli, mock] = await Promise.all([buildCli("kill-resume"), startMockServer({ port: 0, taskSeconds: 0.2, log: () => {} })]);
  // As many runs at once as the rounds make, so that the window covers a run's end on any machine.
  const timed = async (n: number) => {
    const started = Date.now();
    await round(n, 0);
    return Date.now() - started;
  };
  const lengths = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => timed(-1 - i)));
  windowMs = Math.max(200, Math.round(lengths.reduce((a, b) => a + b) / lengths.length));
}, 60_000);
afterAll(() => mock?.close());

/** Deterministic for a seed (mulberry32), so that a failing round can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Round {
  kills: number[];
  exits: (number | null)[];
}

async function round(n: number, kills = KILLS): Promise<Round> {
  const rand = random(SEED + n);
  const cwd = mkdtempSync(join(tmpdir(), `kirin-kill-${n}-`));
  const keys = Array.from({ length: JOBS }, (_, i) => `r${n}-job${i}`);
  writeFileSync(
    join(cwd, "jobs.jsonl"),
    keys
      .map((key) => JSON.stringify({ key, request: { model: "kirin_v3_omni_video", prompt: `Shot ${key}.`, aspect_ratio: "1:1" } }))
      .join("\n"),
  );
  const apiKey = `kill-round-${SEED}-${n}`;
  const args = [
    "batch",
    "jobs.jsonl",
    "--out",
    "results.jsonl",
    "--download",
    "videos",
    "--concurrency",
    "4",
    "--json",
    "--resend-if-absent",
    "--max-poll-interval",
    "0.05",
  ];
  const env = { KIRIN_API_KEY: apiKey, KIRIN_BASE_URL: mock.url };
  const result: Round = { kills: [], exits: [] };
  for (let attempt = 0; ; attempt++) {
    const child = startCli(cli, args, { cwd, env });
    const done = finished(child);
    const killAt = attempt < kills ? Math.floor(rand() * windowMs) : undefined;
    const timer = killAt === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAt);
    const ran = await done;
    clearTimeout(timer);
    result.exits.push(ran.signal === "SIGKILL" ? null : ran.code);
    if (ran.signal === "SIGKILL") {
      result.kills.push(killAt!);
      continue;
    }
    const where = `seed ${SEED}, round ${n}, killed at ${result.kills.join(", ")} ms`;
    expect(ran.code, `${where}: ${ran.stderr}`).toBe(0);
    break;
  }

  const where = `seed ${SEED}, round ${n}, killed at ${result.kills.join(", ")} ms`;
  // Every results line whole, and exactly one per request, all completed.
  const results = readFileSync(join(cwd, "results.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  expect(results.map((r) => `${r.key}:${r.outcome}`).sort(), where).toEqual(keys.map((k) => `${k}:completed`).sort());
  // Exactly one task on the mock for each request, under the ids its journal recorded.
  const journal = readFileSync(join(cwd, "jobs.jsonl.journal"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  for (const key of keys) {
    const ids = new Set(journal.filter((e) => e.type === "start" && e.key === key).map((e) => e.external_task_id as string));
    const tasks = [...ids].map((id) => mock.store.findByExternalId(apiKey, id)).filter(Boolean);
    expect(tasks.length, `${where}: ${key} has ${tasks.length} tasks`).toBe(1);
  }
  // Every video whole, and no .part left behind.
  expect(readdirSync(join(cwd, "videos")).sort(), where).toEqual(keys.map((k) => `${k}.mp4`).sort());
  for (const key of keys) expect(readFileSync(join(cwd, "videos", `${key}.mp4`)).equals(VIDEO), `${where}: ${key}.mp4`).toBe(true);
  expect(existsSync(join(cwd, "jobs.jsonl.journal.lock")), where).toBe(false);
  return result;
}

it(`survives SIGKILL at random points: ${ROUNDS} rounds of ${JOBS} requests, up to ${KILLS} kills each, zero duplicate creates`, async () => {
  const before = { ...mock.creates };
  const rounds: Round[] = [];
  for (let first = 0; first < ROUNDS; first += PARALLEL) {
    rounds.push(...(await Promise.all(Array.from({ length: Math.min(PARALLEL, ROUNDS - first) }, (_, i) => round(first + i)))));
  }
  const kills = rounds.reduce((n, r) => n + r.kills.length, 0);
  // Kill points are drawn within the length of a run timed on this machine, so that they land
  // through a whole run on any machine; a run that ended before one just finished sooner. The
  // test is only worth its name if most rounds were killed at least once.
  const killedRounds = rounds.filter((r) => r.kills.length > 0).length;
  expect(killedRounds, `seed ${SEED}: ${kills} kills in a ${windowMs} ms window`).toBeGreaterThanOrEqual(ROUNDS / 2);
  expect({ made: mock.creates.made - before.made, repeated: mock.creates.repeated - before.repeated }, `seed ${SEED}`).toEqual({
    made: ROUNDS * JOBS,
    repeated: 0,
  });
}, 120_000);
