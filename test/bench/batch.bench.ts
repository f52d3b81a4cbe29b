// (batch) `kirin batch` on 2,000 requests against the mock: wall time, tasks per second and the
// command's peak memory at concurrency 8, 32 and 128, then a run killed with SIGKILL at random
// moments and resumed until done, with the creates counted on the mock.
//
// What is simulated: the mock runs in this process with tasks of BENCH_TASK_SECONDS (0.2 s by
// default; each spends its first 15% queued at progress 0, as the real gateway's do) and the
// command runs as a child process, exactly as a user runs it, with its journal fsync'd on this
// machine's disk. Real tasks take minutes, so `--max-poll-interval 0.1` stands in for the adaptive
// schedule: the figures measure the runner (creates, polls, journal, results), whose ceiling at
// concurrency C is C / task time; with minute-long tasks the gateway's own time is the whole story.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startMockServer } from "../../mock/server.js";
import { buildCli, finished, startCli } from "../support/cli.js";

const N = Number(process.env.BENCH_BATCH_REQUESTS ?? 2000);
const TASK_SECONDS = Number(process.env.BENCH_TASK_SECONDS ?? 0.2);
const POLL_SECONDS = 0.1;
const VIDEO_BYTES = statSync("mock/core/media/sample-16x9.mp4").size;

const cli = await buildCli("bench");
const mock = await startMockServer({ port: 0, taskSeconds: TASK_SECONDS, maxTasks: N * 10, log: () => {} });
const work = mkdtempSync(join(tmpdir(), "kirin-batch-bench-"));
// Each run of the command reports its peak resident memory and CPU time as it exits.
const meter = join(work, "meter.mjs");
writeFileSync(
  meter,
  `import { appendFileSync } from "node:fs";
process.on("exit", () => {
  const u = process.resourceUsage();
  appendFileSync(process.env.KIRIN_BENCH_METER, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + "\\n");
});`,
);

let runs = 0;
/** A fresh folder with N jobs for one API key (the mock keeps each key's tasks apart). */
function setUp() {
  const dir = mkdtempSync(join(work, "run-"));
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      key: `job-${i}`,
      request: {
        model: i % 2 ? "kirin_v3_i2v" : "kirin_v3_omni_video",
        prompt: `Shot ${i}.`,
        ...(i % 2 ? { image: "https://cdn.example.com/start.jpg" } : { aspect_ratio: "16:9" }),
      },
    }),
  );
  writeFileSync(join(dir, "jobs.jsonl"), `${lines.join("\n")}\n`);
  return { dir, apiKey: `bench-key-${++runs}`, meterFile: join(dir, "meter.jsonl") };
}

function batch(dir: string, apiKey: string, meterFile: string, concurrency: number, extra: string[] = []) {
  const args = [
    "batch",
    "jobs.jsonl",
    "--out",
    "results.jsonl",
    "--json",
    "--concurrency",
    String(concurrency),
    "--max-poll-interval",
    String(POLL_SECONDS),
    ...extra,
  ];
  return startCli(cli, args, {
    cwd: dir,
    env: { KIRIN_API_KEY: apiKey, KIRIN_BASE_URL: mock.url, KIRIN_BENCH_METER: meterFile },
    nodeArgs: ["--import", pathToFileURL(meter).href],
  });
}

/** Every request has exactly one final line, completed. */
function checkResults(dir: string): void {
  const results = readFileSync(join(dir, "results.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const completed = new Set(results.filter((r) => r.outcome === "completed").map((r) => r.key));
  if (results.length !== N || completed.size !== N)
    throw new Error(`${dir}: ${results.length} result lines, ${completed.size} keys completed, of ${N}`);
}

const meters = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { maxRssKb: number; cpuMs: number });

console.log(
  `(batch) kirin batch, ${N} requests against the mock (in this process), tasks of ${TASK_SECONDS} s, --max-poll-interval ${POLL_SECONDS}`,
);
console.log("    the command runs as a child process with its journal fsync'd; wall time from start to exit");
console.log(
  `    ${"concurrency".padEnd(12)} ${"wall".padStart(8)} ${"tasks/s".padStart(8)} ${"ceiling".padStart(8)} ${"peak RSS".padStart(9)} ${"CPU/task".padStart(9)} ${"creates".padStart(8)} ${"repeated".padStart(9)}`,
);
for (const concurrency of [8, 32, 128]) {
  const { dir, apiKey, meterFile } = setUp();
  const before = { ...mock.creates };
  const started = performance.now();
  const ran = await finished(batch(dir, apiKey, meterFile, concurrency));
  const seconds = (performance.now() - started) / 1000;
  if (ran.code !== 0) throw new Error(`concurrency ${concurrency}: exit ${ran.code}\n${ran.stderr}`);
  checkResults(dir);
  const [m] = meters(meterFile);
  const made = mock.creates.made - before.made;
  const repeated = mock.creates.repeated - before.repeated;
  console.log(
    `    ${String(concurrency).padEnd(12)} ${`${seconds.toFixed(1)} s`.padStart(8)} ${(N / seconds).toFixed(1).padStart(8)} ${(concurrency / TASK_SECONDS).toFixed(0).padStart(8)} ${`${(m!.maxRssKb / 1024).toFixed(0)} MB`.padStart(9)} ${`${(m!.cpuMs / N).toFixed(2)} ms`.padStart(9)} ${String(made).padStart(8)} ${String(repeated).padStart(9)}`,
  );
}

// Kill and resume: SIGKILL at random moments of the run, then the same command again, until it ends.
{
  const concurrency = 32;
  const { dir, apiKey, meterFile } = setUp();
  const before = { ...mock.creates };
  const expected = (N / concurrency) * (TASK_SECONDS + POLL_SECONDS) * 1000;
  const kills: number[] = [];
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    const child = batch(dir, apiKey, meterFile, concurrency, ["--download", "videos", "--resend-if-absent"]);
    const done = finished(child);
    const at = attempt < 4 ? Math.round(200 + Math.random() * expected * 0.5) : undefined;
    const timer = at === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), at);
    const ran = await done;
    clearTimeout(timer);
    if (ran.signal === "SIGKILL") {
      kills.push(at!);
      continue;
    }
    if (ran.code !== 0) throw new Error(`kill and resume: exit ${ran.code}\n${ran.stderr}`);
    break;
  }
  const seconds = (performance.now() - started) / 1000;
  checkResults(dir);
  const files = readdirSync(join(dir, "videos"));
  const whole = files.filter((f) => f.endsWith(".mp4") && statSync(join(dir, "videos", f)).size === VIDEO_BYTES).length;
  const parts = files.filter((f) => f.endsWith(".part")).length;
  const made = mock.creates.made - before.made;
  const repeated = mock.creates.repeated - before.repeated;
  console.log(`\n    kill and resume at concurrency ${concurrency}, with --download and --resend-if-absent:`);
  console.log(
    `    SIGKILL after ${kills.map((k) => `${(k / 1000).toFixed(1)} s`).join(", ")} of each run, then the same command until it ended: ${kills.length + 1} runs, ${seconds.toFixed(1)} s in all`,
  );
  console.log(
    `    tasks created on the mock: ${made} for ${N} requests (repeated creates: ${repeated}); results: ${N} completed, each once`,
  );
  console.log(`    videos: ${whole} whole of ${N}, ${files.length - whole - parts} other files, ${parts} .part files left`);
  console.log(
    `    zero duplicate creates: ${made === N && repeated === 0 ? "MET" : "MISSED"}; no half files: ${whole === N && parts === 0 && files.length === N ? "MET" : "MISSED"}`,
  );
  if (made !== N || repeated !== 0 || whole !== N || parts !== 0) process.exitCode = 1;
}

await mock.close();
