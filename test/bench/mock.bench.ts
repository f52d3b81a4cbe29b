// The mock against plain Prism, measured in the same run on this machine:
// startup time, create and poll requests per second with 10 concurrent loopback clients, and the
// mock's resident memory after 10,000 tasks.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { freePort } from "../support/servers.js";

const CLIENTS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const AUTH = "Bearer bench";
const BODY = JSON.stringify({
  model: "kirin_v3_omni_video",
  input: [
    {
      params: {
        prompt: "<<<element_1>>> walks through <<<image_1>>> at dusk, the camera tracking beside.",
        image_list: [{ image_url: "https://cdn.example.com/street.jpg" }],
        element_list: [{ element_id: 829301 }],
        aspect_ratio: "16:9",
        duration: "5",
      },
    },
  ],
});

interface Server {
  url: string;
  pid: number;
  startMs: number;
  stop(): Promise<void>;
}

/** Starts a server process and measures the time until it says it listens. */
async function start(command: string, args: string[], ready: string, port: number): Promise<Server> {
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c;
      if (out.includes(ready)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => reject(new Error(out)));
  });
  const startMs = performance.now() - t0;
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, startMs, stop: () => kill(child) };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const startMock = async () => {
  const port = await freePort();
  return start(process.execPath, ["mock/start.mjs", "--port", String(port)], "Kirin mock API on", port);
};
const startPrism = async () => {
  const port = await freePort();
  const args = ["node_modules/@stoplight/prism-cli/dist/index.js", "mock", "generated/openapi.json", "-h", "127.0.0.1", "-p", String(port)];
  return start(process.execPath, args, "Prism is listening", port);
};

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
function send(url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: { authorization: AUTH, ...(body && { "content-type": "application/json" }) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Requests per second with CLIENTS concurrent keep-alive clients, for SECONDS. */
async function throughput(makeRequest: () => Promise<{ status: number }>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const { status } = await makeRequest();
        if (status !== 200) throw new Error(`unexpected status ${status}`);
        count++;
      }
    }),
  );
  return count / SECONDS;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Startup: three cold starts each.
const mockStarts: number[] = [];
const prismStarts: number[] = [];
for (let i = 0; i < 3; i++) {
  const m = await startMock();
  mockStarts.push(m.startMs);
  await m.stop();
  const p = await startPrism();
  prismStarts.push(p.startMs);
  await p.stop();
}

const results: Record<string, { create: number; poll: number }> = {};
for (const [name, starter] of [
  ["mock", startMock],
  ["prism", startPrism],
] as const) {
  const server = await starter();
  const createUrl = `${server.url}/model/v1/generation`;
  await throughput(() => send(createUrl, "POST", BODY)); // warm-up
  const create = await throughput(() => send(createUrl, "POST", BODY));
  // A task made after the creates, so that the mock's bound has not evicted it.
  const created = JSON.parse((await send(createUrl, "POST", BODY)).text);
  const pollUrl = `${server.url}/model/v1/generation/task/${created.id}`;
  results[name] = { create, poll: await throughput(() => send(pollUrl, "GET")) };
  await server.stop();
}

// Memory: 10,000 tasks in a fresh mock.
const server = await startMock();
const before = rssMb(server.pid);
let made = 0;
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (made < 10_000) {
      made++;
      await send(`${server.url}/model/v1/generation`, "POST", BODY);
    }
  }),
);
const after = rssMb(server.pid);
await server.stop();
agent.destroy();

const f = (n: number) => n.toFixed(0).padStart(8);
console.log(`startup (median of 3 cold starts, until listening):
  mock  ${median(mockStarts).toFixed(0)} ms   (goal < 1000 ms)
  prism ${median(prismStarts).toFixed(0)} ms

requests/s, ${CLIENTS} concurrent keep-alive loopback clients, ${SECONDS} s each:
                create     poll
  mock        ${f(results.mock!.create)} ${f(results.mock!.poll)}
  prism       ${f(results.prism!.create)} ${f(results.prism!.poll)}
  mock/prism  ${(results.mock!.create / results.prism!.create).toFixed(1).padStart(7)}x ${(results.mock!.poll / results.prism!.poll).toFixed(1).padStart(7)}x   (goal >= 5x)

memory of the mock: ${before.toFixed(0)} MB resident at start, ${after.toFixed(0)} MB after 10,000 tasks (goal < 100 MB)`);
