// runBatch against the stateful mock: every request done once, validation before anything is
// sent, adaptive concurrency, stopping on 402, re-creating after 006001094 under a new id, and a
// rerun from each state the journal can hold - counting the creates that reach the mock, since
// money is real: a create that may have reached the server is never sent again unless an answer
// proved nothing was made or the caller opted in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { type BatchItem, type BatchResult, type BatchRun, KirinBatchValidationError, requestHash, runBatch } from "../../src/batch.js";
import { createKirinClient } from "../../src/client.js";
import { KirinError } from "../../src/errors.js";
import { type JournalEntry, memoryJournal } from "../../src/journal.js";

let mock: MockServer;
let limited: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.2, log: () => {} });
  limited = await startMockServer({ port: 0, taskSeconds: 0.2, rateLimit: 20, log: () => {} });
});
afterAll(async () => {
  await mock?.close();
  await limited?.close();
});

const FAST = { maxIntervalMs: 50 };
let run = 0;

type Rewrite = (request: Request, body: { input: [{ params: Record<string, unknown> }] }) => Request;

/**
 * A client whose requests are counted, and optionally rewritten, on their way to `server`. The
 * mock keeps each API key's tasks apart: a fresh key per client unless `apiKey` names an owner.
 */
function countingClient(server: MockServer, options: { rewrite?: Rewrite; apiKey?: string } = {}) {
  const { rewrite } = options;
  const sent = { creates: 0, reads: 0, createIds: [] as string[] };
  const client = createKirinClient({
    apiKey: options.apiKey ?? `batch-test-key-${++run}`,
    baseUrl: server.url,
    fetch: async (request) => {
      if (request.method !== "POST") {
        sent.reads++;
        return fetch(request);
      }
      sent.creates++;
      const body = await request.clone().json();
      sent.createIds.push(body.input[0].params.external_task_id);
      return fetch(rewrite ? rewrite(request, body) : request);
    },
  });
  return { client, sent };
}

const omni = (prompt = "A paper boat.") => ({ model: "kirin_v3_omni_video" as const, prompt, aspect_ratio: "1:1" as const });
const items = (n: number, prefix = "k"): BatchItem[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, request: omni() }));

async function collect(batch: BatchRun, onResult?: (r: BatchResult, batch: BatchRun) => void): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for await (const result of batch) {
    results.push(result);
    onResult?.(result, batch);
  }
  return results;
}

/** The request, asking the mock to fail its task with 006001094 (no capacity). */
function noCapacity(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.set("X-Kirin-Mock-Scenario", "fail-006001094");
  return new Request(request, { headers });
}

function counts(server: MockServer) {
  return { ...server.creates };
}
function delta(before: { made: number; repeated: number }, server: MockServer) {
  return { made: server.creates.made - before.made, repeated: server.creates.repeated - before.repeated };
}

describe("runBatch", () => {
  it("completes every request exactly once and yields each result as it finishes, as plain JSON", async () => {
    const before = counts(mock);
    const { client, sent } = countingClient(mock);
    const inFlight = new Set<string>();
    let most = 0;
    let stillRunningAtFirst = -1;
    const batch = runBatch(client, items(12), {
      concurrency: 3,
      wait: FAST,
      onEvent: (e) => {
        if (e.type === "phase") inFlight.add(e.key);
        most = Math.max(most, inFlight.size);
      },
    });
    const results = await collect(batch, (r, b) => {
      inFlight.delete(r.key);
      if (stillRunningAtFirst < 0) stillRunningAtFirst = b.status.running + b.status.waiting;
    });
    expect(results.map((r) => r.outcome)).toEqual(Array(12).fill("completed"));
    expect(new Set(results.map((r) => r.key)).size).toBe(12);
    expect(delta(before, mock)).toEqual({ made: 12, repeated: 0 });
    expect(sent.creates).toBe(12);
    expect(most).toBeLessThanOrEqual(3);
    expect(stillRunningAtFirst).toBeGreaterThan(0);
    for (const r of results) {
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      expect(r.videoUrls?.length).toBe(1);
      expect(r.cost).toMatch(/^\d+\.\d+$/);
    }
    expect(batch.summary).toMatchObject({ total: 12, completed: 12, failed: 0, creates: 12, cost: "6.7200" });
  });

  it("does not make another task when one completed without a video: it may have been billed", async () => {
    let creates = 0;
    const client = createKirinClient({
      apiKey: `batch-test-key-${++run}`,
      baseUrl: "https://gateway.example",
      fetch: async (request) => {
        if (request.method === "POST") creates++;
        const task =
          request.method === "POST" ? { id: `t${creates}`, status: "in_progress" } : { id: "t1", status: "completed", output: [] };
        return Response.json(task);
      },
    });
    const results = await collect(runBatch(client, items(1, "empty"), { wait: FAST }));
    expect(results.map((r) => r.outcome)).toEqual(["failed"]);
    expect(results[0]).toMatchObject({ error: { code: "completed_without_output" } });
    expect(creates).toBe(1);
  });

  it("takes an async iterable too", async () => {
    const { client } = countingClient(mock);
    async function* source() {
      for (const item of items(3, "async")) yield item;
    }
    const results = await collect(runBatch(client, source(), { wait: FAST }));
    expect(results.map((r) => r.outcome)).toEqual(["completed", "completed", "completed"]);
  });

  it("validates every request before the first is sent: a bad request 21 stops the batch with nothing paid", async () => {
    const before = counts(mock);
    const { client, sent } = countingClient(mock);
    const list = items(30);
    list[20] = { key: "k20", request: { ...omni(), duration: 5 as unknown as "5" } };
    list[25] = { key: "k3", request: omni() };
    list[27] = { key: "k27", request: { ...omni(), external_task_id: "same" } };
    list[28] = { key: "k28", request: { ...omni(), external_task_id: "same" } };
    const error = await collect(runBatch(client, list, { wait: FAST })).catch((e) => e);
    expect(error).toBeInstanceOf(KirinBatchValidationError);
    const problems = (error as KirinBatchValidationError).problems;
    expect(problems.map((p) => [p.index, p.issues[0]!.rule])).toEqual([
      [20, "type"],
      [25, "batch-duplicate-key"],
      [28, "batch-duplicate-external-id"],
    ]);
    expect((error as Error).message).toMatch(/3 of 30 requests cannot be sent, so none was. First: #21 \(key "k20"\) \/duration type/);
    expect(sent).toMatchObject({ creates: 0, reads: 0 });
    expect(delta(before, mock)).toEqual({ made: 0, repeated: 0 });
  });

  it("halves its concurrency on 429, never goes above the maximum, and still makes every task exactly once", async () => {
    const before = counts(limited);
    const { client } = countingClient(limited);
    const limits: [number, string][] = [];
    const batch = runBatch(client, items(40, "rl"), {
      concurrency: 16,
      wait: FAST,
      onEvent: (e) => {
        if (e.type === "limit") limits.push([e.limit, e.reason]);
      },
    });
    const results = await collect(batch);
    expect(results.filter((r) => r.outcome === "completed")).toHaveLength(40);
    expect(delta(before, limited)).toEqual({ made: 40, repeated: 0 });
    expect(limits.some(([l, reason]) => reason === "429" && l < 16)).toBe(true);
    expect(Math.max(...limits.map(([l]) => l))).toBeLessThanOrEqual(16);
  }, 30_000);

  it("stops creating on 402, follows what it made, reports what is left, and a rerun does the rest once", async () => {
    const before = counts(mock);
    const journal = memoryJournal();
    const list = items(8, "credit");
    list[3] = { key: "credit3", request: omni("A paper boat. [mock:insufficient-credits]") };
    const first = countingClient(mock);
    const batch = runBatch(first.client, list, { concurrency: 1, journal, wait: FAST });
    const results = await collect(batch);
    expect(results.map((r) => `${r.key}:${r.outcome}`)).toEqual([
      "credit0:completed",
      "credit1:completed",
      "credit2:completed",
      ...[3, 4, 5, 6, 7].map((i) => `credit${i}:not-started`),
    ]);
    expect(batch.summary?.stopped?.reason).toBe("insufficient-credits");
    expect(results[5]!.error).toMatchObject({ name: "KirinInsufficientCreditsError", category: "account", status: 402, code: "40201" });
    expect(batch.summary?.notStarted).toEqual(["credit3", "credit4", "credit5", "credit6", "credit7"]);
    expect(first.sent.creates).toBe(4); // the fourth was refused with 402: nothing made
    expect(delta(before, mock)).toEqual({ made: 3, repeated: 0 });

    // Credit topped up (the marker gone): the refused request may change, since nothing was made for it.
    list[3] = { key: "credit3", request: omni() };
    const second = countingClient(mock);
    const rerun = runBatch(second.client, list, { concurrency: 2, journal, wait: FAST });
    const rest = await collect(rerun);
    expect(rest.map((r) => r.key).sort()).toEqual(["credit3", "credit4", "credit5", "credit6", "credit7"]);
    expect(rest.every((r) => r.outcome === "completed")).toBe(true);
    expect(rerun.summary).toMatchObject({ earlier: 3, completed: 8, total: 8 });
    expect(delta(before, mock)).toEqual({ made: 8, repeated: 0 });
  });

  it("creates a task that failed with 006001094 again under a new id derived from the original", async () => {
    const before = counts(mock);
    const limits: string[] = [];
    // The first create of each request meets a gateway without capacity; the re-creation does not.
    const { client, sent } = countingClient(mock, {
      rewrite: (request, body) => (/-retry-\d+$/.test(String(body.input[0].params.external_task_id)) ? request : noCapacity(request)),
    });
    const list = items(3, "cap").map((item, i) => ({ ...item, request: { ...item.request, external_task_id: `shot-${i}-${run}` } }));
    const results = await collect(
      runBatch(client, list, { wait: FAST, recreateDelayMs: 0, onEvent: (e) => e.type === "limit" && limits.push(e.reason) }),
    );
    for (const [i, r] of results.sort((a, b) => a.key.localeCompare(b.key)).entries()) {
      expect(r).toMatchObject({ outcome: "completed", attempt: 2, externalTaskId: `shot-${i}-${run}-retry-2` });
    }
    expect(sent.createIds.sort()).toEqual([0, 1, 2].flatMap((i) => [`shot-${i}-${run}`, `shot-${i}-${run}-retry-2`]));
    expect(delta(before, mock)).toEqual({ made: 6, repeated: 0 });
    expect(limits).toContain("006001094");
  });

  it("gives up re-creating after recreateAttempts, with the failure as the result", async () => {
    const { client, sent } = countingClient(mock, { rewrite: noCapacity });
    const [result] = await collect(runBatch(client, items(1, "never"), { wait: FAST, recreateDelayMs: 0, recreateAttempts: 1 }));
    expect(result).toMatchObject({ outcome: "failed", attempt: 2, error: { code: "006001094", retryable: true } });
    expect(sent.creates).toBe(2);
  });
});

describe("runBatch resumes from its journal without paying twice", () => {
  const at = new Date().toISOString();
  const item = (key: string): BatchItem => ({ key, request: omni() });
  const started = async (key: string, externalTaskId: string): Promise<JournalEntry> => ({
    v: 1,
    at,
    type: "start",
    key,
    external_task_id: externalTaskId,
    attempt: 1,
    request_hash: await requestHash(item(key).request),
  });

  it("a create that reached the server: found by its external_task_id, followed, not sent again", async () => {
    const id = `reached-${run}`;
    const apiKey = `owner-${run++}-key`;
    // The earlier run's create made the task, and the run died before it recorded the answer.
    const made = await countingClient(mock, { apiKey }).client.createTask({ ...item("a").request, external_task_id: id });
    const { client, sent } = countingClient(mock, { apiKey });
    const journal = memoryJournal([await started("a", id)]);
    const results = await collect(runBatch(client, [item("a")], { journal, wait: FAST }));
    expect(results).toMatchObject([{ key: "a", outcome: "completed", taskId: made.id }]);
    expect(sent.creates).toBe(0);
    expect(journal.entries.map((e) => e.type)).toEqual(["start", "created", "end"]);
  });

  it("a create the server never saw: outcome unknown and nothing sent - unless the caller opted in, then sent once", async () => {
    const id = `lost-${run++}`;
    const before = counts(mock);
    const journal = memoryJournal([await started("b", id)]);
    const first = countingClient(mock);
    const [unknown] = await collect(runBatch(first.client, [item("b")], { journal, wait: FAST }));
    expect(unknown).toMatchObject({ key: "b", outcome: "outcome-unknown", externalTaskId: id, error: { category: "outcome-unknown" } });
    expect(first.sent.creates).toBe(0);
    expect(delta(before, mock)).toEqual({ made: 0, repeated: 0 });

    const second = countingClient(mock);
    const [done] = await collect(runBatch(second.client, [item("b")], { journal, wait: FAST, resendIfAbsent: true }));
    expect(done).toMatchObject({ key: "b", outcome: "completed", externalTaskId: id });
    expect(second.sent.createIds).toEqual([id]);
    expect(delta(before, mock)).toEqual({ made: 1, repeated: 0 });
  });

  it("a create whose outcome is unclear (500, and the look-up finds nothing) is not sent again until the caller opts in", async () => {
    const before = counts(mock);
    const journal = memoryJournal();
    const broken = countingClient(mock, {
      rewrite: (request) => {
        const headers = new Headers(request.headers);
        headers.set("X-Kirin-Mock-Scenario", "server-error");
        return new Request(request, { headers });
      },
    });
    const [unclear] = await collect(runBatch(broken.client, [item("g")], { journal, wait: FAST }));
    expect(unclear).toMatchObject({ outcome: "outcome-unknown", stage: "create" });
    expect(broken.sent.creates).toBe(1);
    expect(journal.entries.map((e) => e.type)).toEqual(["start"]);
    const healthy = countingClient(mock);
    const [again] = await collect(runBatch(healthy.client, [item("g")], { journal, wait: FAST }));
    expect(again).toMatchObject({ outcome: "outcome-unknown", stage: "lookup" });
    expect(healthy.sent.creates).toBe(0);
    const [done] = await collect(runBatch(healthy.client, [item("g")], { journal, wait: FAST, resendIfAbsent: true }));
    expect(done).toMatchObject({ outcome: "completed", externalTaskId: unclear!.externalTaskId });
    expect(healthy.sent.creates).toBe(1);
    expect(delta(before, mock)).toEqual({ made: 1, repeated: 0 });
  });

  it("a task the journal knows by id is followed by id: no create, no look-up", async () => {
    const apiKey = `owner-${run++}-key`;
    const task = await countingClient(mock, { apiKey }).client.createTask({ ...item("c").request, external_task_id: `known-${run}` });
    const journal = memoryJournal([
      await started("c", `known-${run}`),
      { v: 1, at, type: "created", key: "c", external_task_id: `known-${run}`, task_id: task.id },
    ]);
    const { client, sent } = countingClient(mock, { apiKey });
    const results = await collect(runBatch(client, [item("c")], { journal, wait: FAST }));
    expect(results).toMatchObject([{ outcome: "completed", taskId: task.id }]);
    expect(sent.creates).toBe(0);
  });

  it("a task that failed with 006001094 before its re-creation was recorded is created again once, under the same derived id", async () => {
    const apiKey = `owner-${run++}-key`;
    const id = `capacity-${run}`;
    const failing = countingClient(mock, { apiKey, rewrite: noCapacity });
    const failed = await failing.client.createTask({ ...item("h").request, external_task_id: id });
    const journal = memoryJournal([
      await started("h", id),
      { v: 1, at, type: "created", key: "h", external_task_id: id, task_id: failed.id },
    ]);
    const { client, sent } = countingClient(mock, { apiKey });
    const results = await collect(runBatch(client, [item("h")], { journal, wait: FAST, recreateDelayMs: 0 }));
    expect(results).toMatchObject([{ outcome: "completed", attempt: 2, externalTaskId: `${id}-retry-2` }]);
    expect(sent.createIds).toEqual([`${id}-retry-2`]);
  });

  it("a key that ended is left alone: no request at all, counted as earlier", async () => {
    const journal = memoryJournal([
      await started("d", "d-1"),
      { v: 1, at, type: "created", key: "d", external_task_id: "d-1", task_id: "task_d" },
      { v: 1, at, type: "end", key: "d", result: { key: "d", outcome: "completed", taskId: "task_d", cost: "0.56" } },
    ]);
    const { client, sent } = countingClient(mock);
    const batch = runBatch(client, [item("d")], { journal, wait: FAST });
    expect(await collect(batch)).toEqual([]);
    expect(sent).toMatchObject({ creates: 0, reads: 0 });
    expect(batch.summary).toMatchObject({ earlier: 1, completed: 1, cost: "0.56" });
  });

  it("a create the server refused (unsent) is sent again, under the same id", async () => {
    const id = `refused-${run++}`;
    const journal = memoryJournal([await started("e", id), { v: 1, at, type: "unsent", key: "e", external_task_id: id, reason: "429" }]);
    const { client, sent } = countingClient(mock);
    const results = await collect(runBatch(client, [item("e")], { journal, wait: FAST }));
    expect(results).toMatchObject([{ outcome: "completed", externalTaskId: id }]);
    expect(sent.createIds).toEqual([id]);
  });

  it("a request that changed after its create was sent is refused before anything is sent", async () => {
    const journal = memoryJournal([await started("f", "f-1")]);
    const { client, sent } = countingClient(mock);
    const changed: BatchItem = { key: "f", request: omni("Another boat.") };
    const error = await collect(runBatch(client, [changed], { journal })).catch((e) => e);
    expect(error).toBeInstanceOf(KirinBatchValidationError);
    expect((error as KirinBatchValidationError).issues[0]).toMatchObject({ rule: "batch-changed-since-sent" });
    expect(sent).toMatchObject({ creates: 0, reads: 0 });
  });

  it("stopped mid-run, a rerun finishes the rest: every request completed once, zero duplicate creates", async () => {
    const before = counts(mock);
    const journal = memoryJournal();
    const list = items(16, "stop");
    const controller = new AbortController();
    const { client } = countingClient(mock);
    const first = runBatch(client, list, { concurrency: 4, journal, wait: FAST, signal: controller.signal });
    const early = await collect(first, (_r, b) => b.status.completed === 5 && controller.abort());
    expect(first.summary?.stopped?.reason).toBe("aborted");
    expect(first.summary!.unfinished.length).toBeGreaterThan(0);
    const second = runBatch(client, list, { concurrency: 4, journal, wait: FAST });
    const late = await collect(second);
    const keys = [...early, ...late].filter((r) => r.outcome === "completed").map((r) => r.key);
    expect(keys.sort()).toEqual(list.map((i) => i.key).sort());
    expect(delta(before, mock)).toEqual({ made: 16, repeated: 0 });
  });

  it("stops everything when the journal cannot be written: no create goes out without its start on record", async () => {
    const entries: JournalEntry[] = [];
    let appends = 0;
    const journal = {
      entries: [],
      async append(entry: JournalEntry) {
        if (++appends > 4) throw new Error("disk full");
        entries.push(entry);
      },
    };
    const { client, sent } = countingClient(mock);
    const error = await collect(runBatch(client, items(6, "disk"), { concurrency: 2, journal, wait: FAST })).catch((e) => e);
    expect(error).toBeInstanceOf(KirinError);
    expect((error as Error).message).toMatch(/journal could not be written.*disk full/);
    expect(sent.createIds.sort()).toEqual(
      entries
        .filter((e) => e.type === "start")
        .map((e) => (e as { external_task_id: string }).external_task_id)
        .sort(),
    );
  });
});
