// Load smoke: callbacks fanned out to a receiver that accepts connections and never answers. The
// mock runs in its own process so that its own peak memory is measured, with a callback timeout
// longer than the test: no delivery ends, so the receiver's count of open sockets is exact.
// Once 10,500 such tasks opened 10,155 sockets and took the mock to 1.1 GB; the bound now is the
// delivery concurrency for sockets, and the outstanding deliveries (maxPendingCallbacks) for memory.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../mock/server.js";

const TASKS = 10_500;
const SENDERS = 64;

/** Peak and current resident memory of a process, in MB, from /proc (Linux). */
function memoryOf(pid: number): { peakMb: number; nowMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return { peakMb: kb("VmHWM") / 1024, nowMb: kb("VmRSS") / 1024 };
}

let mock: ChildProcess;
let mockUrl = "";
const receiver = { open: 0, peak: 0, total: 0 };
const sockets = new Set<Socket>();
// Accepts every connection, reads what comes, answers nothing.
const silent = createServer((socket) => {
  sockets.add(socket);
  receiver.total++;
  receiver.peak = Math.max(receiver.peak, ++receiver.open);
  socket.on("error", () => {});
  socket.on("close", () => {
    sockets.delete(socket);
    receiver.open--;
  });
  socket.resume();
});

beforeAll(async () => {
  silent.listen(0, "127.0.0.1");
  await once(silent, "listening");
  const options = { taskSeconds: 0.2, callbackTimeoutMs: 120_000 };
  mock = spawn(process.execPath, ["--import", "tsx", "test/fuzz/mock-process.ts", JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  for await (const chunk of mock.stdout!) {
    output += chunk;
    const found = /Kirin mock API on (http:\/\/\S+)/.exec(output);
    if (found) {
      mockUrl = found[1]!;
      break;
    }
  }
  mock.stdout!.resume();
}, 60_000);

afterAll(async () => {
  mock?.kill("SIGKILL");
  for (const socket of sockets) socket.destroy();
  silent.close();
});

describe("callback fan-out to a receiver that never answers", () => {
  it(`${TASKS} tasks: sockets bounded by the delivery concurrency, memory by the outstanding deliveries`, async () => {
    const hook = `http://127.0.0.1:${(silent.address() as { port: number }).port}/never-answers`;
    const before = memoryOf(mock.pid!);
    const statuses = new Map<number, number>();
    let next = 0;
    const sender = async () => {
      while (next < TASKS) {
        const i = next++;
        const res = await fetch(`${mockUrl}/model/v1/generation`, {
          method: "POST",
          headers: { authorization: "Bearer load", "content-type": "application/json" },
          body: JSON.stringify({
            model: "kirin_v3_i2v",
            input: [{ params: { image: "https://x.test/a.png", prompt: `task ${i}`, callback_url: hook } }],
          }),
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    // Deliveries start 30 ms after each create (15% of 0.2 s): wait until all slots are taken.
    for (let i = 0; i < 500 && receiver.open < DEFAULTS.callbackConcurrency; i++) await new Promise((r) => setTimeout(r, 10));
    const after = memoryOf(mock.pid!);
    const accepted = DEFAULTS.maxPendingCallbacks / 2; // two status changes, two deliveries per task
    console.log(
      `fan-out: ${TASKS} creates -> ${statuses.get(200)} accepted, ${statuses.get(503)} answered 503; receiver sockets: ` +
        `peak ${receiver.peak} open at once, ${receiver.total} opened; mock memory: ${before.nowMb.toFixed(0)} MB before, ` +
        `peak ${after.peakMb.toFixed(0)} MB`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: accepted, 503: TASKS - accepted });
    expect(receiver.peak).toBe(DEFAULTS.callbackConcurrency);
    expect(receiver.total).toBe(DEFAULTS.callbackConcurrency);
    expect(after.peakMb - before.nowMb).toBeLessThan(150);
  }, 60_000);
});
