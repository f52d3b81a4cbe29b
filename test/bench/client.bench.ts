// (c) Browser bundles a user's bundler makes from the package (esbuild, minified, gzip -9), with the
//     package's `sideEffects: false`: one helper alone, the client with polling but no validators
//     (`kirin-api/client`), and every export of `kirin-api`; against openapi-fetch alone and other
//     video-API clients.
// (d) Client call overhead: getTask through the client against raw fetch, same loopback server,
//     same run, rounds interleaved so that machine noise hits both alike.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createKirinClient } from "../../src/client.js";
import { bundleSize } from "./bundle-size.js";

const kB = (n: number) => (n / 1000).toFixed(1).padStart(6);

console.log("(c) browser bundle (esbuild, minified, ES2022, gzip -9; kB = 1000 bytes)");
const targets: [string, string, number][] = [
  ['import { videoUrls } from "kirin-api"', `export { videoUrls } from "./src/index.ts";`, 1_000],
  [
    'import { createKirinClient, waitForTask } from "kirin-api/client"',
    `export { createKirinClient, waitForTask } from "./src/client-entry.ts";`,
    9_000,
  ],
  ['import * from "kirin-api" (everything)', `export * from "./src/index.ts";`, 18_000],
];
for (const [name, contents, goal] of targets) {
  const size = await bundleSize(contents);
  const verdict = size.gzip <= goal ? "MET" : "MISSED";
  // The verdict compares bytes; they are printed too, as one decimal of a kB hides which side of a goal a size is on.
  const bytes = `(${size.gzip.toLocaleString("en")} B)`.padStart(10);
  console.log(
    `  ${name.padEnd(66)} ${kB(size.gzip)} kB gzip ${bytes} ${kB(size.raw)} kB min   goal <= ${goal.toLocaleString("en")} B: ${verdict}`,
  );
}
const parts: [string, string][] = [
  [
    "  validateRequest + inspectImage alone (schemas, their reader, rules)",
    `export { validateRequest } from "./src/validate.ts"; export { inspectImage, imageToBase64 } from "./src/image.ts";`,
  ],
  ["  runBatch alone (it validates every request: validation included)", `export { runBatch, memoryJournal } from "./src/batch.ts";`],
  [
    "  one model's schema and its reader alone (kirin_v3_i2v)",
    `import { kirinV3I2VParams } from "./generated/json-schemas.js"; import { schemaErrors } from "./src/json-schema.ts";
     export const check = (v: unknown) => schemaErrors(kirinV3I2VParams.schema, v);`,
  ],
  ["openapi-fetch alone", `export { default } from "openapi-fetch";`],
];
for (const [name, contents] of parts) {
  const size = await bundleSize(contents);
  console.log(`  ${name.padEnd(66)} ${kB(size.gzip)} kB gzip ${kB(size.raw)} kB min`);
}
const others: [string, number][] = [
  ["Replicate JS, published bundle", 7200],
  ["Runway Node, published bundle", 10700],
  ["fal JS client, published bundle", 21000],
  ["OpenAI Node, published bundle", 35800],
];
for (const [name, gz] of others) console.log(`  ${name.padEnd(66)} ${kB(gz)} kB gzip`);

// ---- (d) ----------------------------------------------------------------------------------------
// The server runs in a child process, so this process's CPU time is the calling side's alone: on
// a busy machine wall-clock throughput swings from round to round, CPU time per call much less.
// It answers as the real gateway does (test/fixtures/wire): the status word `in_progress`, the
// model of another era, and on every other call a completed task with its output list.
const wireBodies = ["task-in-progress.json", "task-completed-video.json"].map((file) =>
  JSON.stringify(JSON.parse(readFileSync(`test/fixtures/wire/${file}`, "utf8")).body),
);
const serverCode = `
  const bodies = ${JSON.stringify(wireBodies)};
  let n = 0;
  const server = require("node:http").createServer((req, res) => {
    const task = bodies[n++ % bodies.length];
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(task) });
    res.end(task);
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;
const child = spawn(process.execPath, ["-e", serverCode], { stdio: ["ignore", "pipe", "inherit"] });
const [portLine] = (await once(child.stdout!, "data")) as [Buffer];
const base = `http://127.0.0.1:${portLine.toString().trim()}`;
const client = createKirinClient({ apiKey: "sk-bench", baseUrl: base });
const clientWithTimeout = createKirinClient({ apiKey: "sk-bench", baseUrl: base, timeoutMs: 60_000 });

const rawCall = async () => {
  const res = await fetch(`${base}/model/v1/generation/task/task_1`, { headers: { Authorization: "Bearer sk-bench" } });
  if (!res.ok) throw new Error(String(res.status));
  return res.json();
};
const clientCall = () => client.getTask("task_1");
const clientWithTimeoutCall = () => clientWithTimeout.getTask("task_1");

/** Calls per second of wall time and calling-side CPU microseconds per call. */
async function measure(call: () => Promise<unknown>, total: number, concurrency: number) {
  let left = total;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await call();
    }),
  );
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { rps: total / wall, cpuUs: (used.user + used.system) / total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  "\n(d) getTask through the client vs raw fetch, loopback node:http server (own process) on 127.0.0.1,\n    answering in the gateway's wire shapes (in_progress and completed tasks from test/fixtures/wire, alternately)",
);
console.log("    21 rounds of 1,000 calls each way, order swapped every round; medians of the per-round figures");
for (const [label, call] of [
  ["client (defaults)", clientCall],
  ["client, timeoutMs 60 s", clientWithTimeoutCall],
] as const) {
  for (const concurrency of [1, 16]) {
    await measure(rawCall, 1000, concurrency); // warm-up: connections, JIT
    await measure(call, 1000, concurrency);
    const rows: { raw: Awaited<ReturnType<typeof measure>>; viaClient: Awaited<ReturnType<typeof measure>> }[] = [];
    for (let round = 0; round < 21; round++) {
      if (round % 2 === 0) {
        const raw = await measure(rawCall, 1000, concurrency);
        rows.push({ raw, viaClient: await measure(call, 1000, concurrency) });
      } else {
        const viaClient = await measure(call, 1000, concurrency);
        rows.push({ viaClient, raw: await measure(rawCall, 1000, concurrency) });
      }
    }
    const wallRatio = median(rows.map((r) => r.viaClient.rps / r.raw.rps));
    const cpuRatio = median(rows.map((r) => r.raw.cpuUs / r.viaClient.cpuUs));
    console.log(
      `  ${label.padEnd(23)} concurrency ${String(concurrency).padStart(2)}: raw fetch ${median(rows.map((r) => r.raw.rps))
        .toFixed(0)
        .padStart(5)} req/s ${median(rows.map((r) => r.raw.cpuUs))
        .toFixed(0)
        .padStart(4)} us CPU/call;` +
        ` client ${median(rows.map((r) => r.viaClient.rps))
          .toFixed(0)
          .padStart(5)} req/s ${median(rows.map((r) => r.viaClient.cpuUs))
          .toFixed(0)
          .padStart(4)} us CPU/call;` +
        ` ratio ${wallRatio.toFixed(3)} wall, ${cpuRatio.toFixed(3)} CPU (goal >= 0.9: ${wallRatio >= 0.9 ? "MET" : "MISSED"} / ${cpuRatio >= 0.9 ? "MET" : "MISSED"})`,
    );
  }
}
child.kill();
