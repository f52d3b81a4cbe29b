// The `kirin` command as a user runs it: a real child process against the mock, piped (so plain
// lines, no bars), with the key in KIRIN_API_KEY.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { buildCli, finished, type Ran, runCli, startCli } from "../support/cli.js";

const KEY = "sk-cli-test-SECRET-7f3a9c";
// The mock's sample video follows the request's aspect ratio.
const VIDEO = readFileSync("mock/core/media/sample-16x9.mp4");
const SQUARE = readFileSync("mock/core/media/sample-1x1.mp4");
let cli: string;
let mock: MockServer;
let limited: MockServer;
const outputs: Ran[] = [];

beforeAll(async () => {
  [cli, mock, limited] = await Promise.all([
    buildCli("cli-test"),
    startMockServer({ port: 0, taskSeconds: 0.3, log: () => {} }),
    startMockServer({ port: 0, taskSeconds: 0.2, rateLimit: 40, log: () => {} }),
  ]);
});
afterAll(async () => {
  await mock?.close();
  await limited?.close();
});

/** `kirin ARGS` against `server`, remembered so that a last test can search every output for the key. */
async function kirin(
  args: string[],
  options: { server?: MockServer; cwd?: string; input?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  const ran = await runCli(cli, args, {
    env: { KIRIN_API_KEY: KEY, KIRIN_BASE_URL: (options.server ?? mock).url, ...options.env },
    ...(options.cwd && { cwd: options.cwd }),
    ...(options.input !== undefined && { input: options.input }),
  });
  outputs.push(ran);
  return ran;
}

const folder = () => mkdtempSync(join(tmpdir(), "kirin-cli-"));
const jobLine = (key: string, prompt = "A paper boat.") =>
  JSON.stringify({ key, request: { model: "kirin_v3_omni_video", prompt, aspect_ratio: "1:1" } });
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("kirin --help", () => {
  it.each([[[]], [["generate"]], [["batch"]], [["validate"]], [["task"]], [["mock"]]])("kirin %s --help", async (command) => {
    const ran = await kirin([...command, "--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`Usage: ${["kirin", ...command].join(" ")}`);
  });

  it("a usage error exits 2 and says what is wrong", async () => {
    const ran = await kirin(["batch", "jobs.jsonl"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("required option '--out <file>' not specified");
  });
});

describe("kirin generate", () => {
  it("creates, follows, downloads a playable video and prints the cost; --set values the contract wants as text stay text", async () => {
    const cwd = folder();
    const before = mock.creates.made;
    const ran = await kirin(
      [
        "generate",
        "--model",
        "kirin_v3_omni_video",
        "--prompt",
        "A paper boat.",
        "--set",
        "aspect_ratio=16:9",
        "--set",
        "duration=10",
        "--out",
        "boat.mp4",
        "--max-poll-interval",
        "0.1",
      ],
      { cwd },
    );
    expect(ran.code).toBe(0);
    // 10 s of pro video: $1.1200 on the mock - the duration went out as the string "10".
    expect(ran.stdout).toMatch(
      new RegExp(`^saved boat.mp4 \\(${Math.round(VIDEO.length / 1000)} kB\\) \\| cost \\$1.1200 \\| task task_\\w+\\n$`),
    );
    expect(readFileSync(join(cwd, "boat.mp4")).equals(VIDEO)).toBe(true);
    expect(mock.creates.made - before).toBe(1);
    // Piped: whole lines only, no bar drawing.
    expect(ran.stderr).toMatch(/created task_\w+ \(external_task_id kirin-cli-/);
    expect(ran.stderr).toMatch(/completed after \d+ s/);
    expect(ran.stderr).not.toContain("\x1b[");
  });

  it("Ctrl-C while it waits exits 130 and says how to follow the task, which keeps running", async () => {
    const cwd = folder();
    const args = ["generate", "--model", "kirin_v3_omni_video", "--prompt", "A slow boat. [mock:slow]", "--set", "aspect_ratio=1:1"];
    const child = startCli(cli, args, { cwd, env: { KIRIN_API_KEY: KEY, KIRIN_BASE_URL: mock.url } });
    const done = finished(child);
    let sent = false;
    child.stderr!.on("data", (chunk) => {
      if (!sent && String(chunk).includes("created task_")) sent = child.kill("SIGINT");
    });
    const stopped = await done;
    outputs.push(stopped);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(
      /Stopped\. Task (task_\w+) keeps running on the server; follow it with:\n {2}kirin task \1 --wait --out \1\.mp4/,
    );
  });

  it("--json prints the task, the file and the cost as one JSON object", async () => {
    const cwd = folder();
    const ran = await kirin(
      [
        "generate",
        "--json",
        "--model",
        "kirin_v3_i2v",
        "--image",
        "https://cdn.example.com/fox.jpg",
        "--prompt",
        "The fox trots away.",
        "--max-poll-interval",
        "0.1",
      ],
      { cwd },
    );
    expect(ran.code).toBe(0);
    const out = JSON.parse(ran.stdout);
    expect(out).toMatchObject({ task: { status: "completed" }, bytes: VIDEO.length, cost: "0.3500" });
    expect(existsSync(join(cwd, out.file))).toBe(true);
    expect(ran.stderr).toBe("");
  });

  it("sends a local image as Base64", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "start.png"), readFileSync("docs/assets/fox-start.png"));
    const ran = await kirin(
      [
        "generate",
        "--model",
        "kirin_v3_i2v",
        "--image",
        "start.png",
        "--prompt",
        "The fox trots away.",
        "--no-download",
        "--max-poll-interval",
        "0.1",
      ],
      { cwd },
    );
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^cost \$0.3500 \| task task_\w+\n$/);
  });

  it("refuses an invalid request with exit code 2 and the rule ids, sending nothing", async () => {
    const before = mock.creates.made;
    const ran = await kirin([
      "generate",
      "--model",
      "kirin_v3_omni_video",
      "--prompt",
      "<<<image_1>>> walks into the sea.",
      "--set",
      "duration=99",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/\/aspect_ratio {2}aspect-ratio-required {2}/);
    expect(ran.stderr).toMatch(/\/prompt {2}prompt-placeholders {2}/);
    expect(ran.stderr).toMatch(/\/duration {2}enum {2}/);
    expect(ran.stderr).toContain("nothing was sent");
    const json = await kirin(["generate", "--json", "--model", "kirin_v3_omni_video", "--prompt", "A boat"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, issues: [{ path: "/aspect_ratio", rule: "aspect-ratio-required" }] });
    expect(mock.creates.made).toBe(before);
  });

  it("says a failed task's code and exits 1", async () => {
    const ran = await kirin([
      "generate",
      "--model",
      "kirin_v3_omni_video",
      "--prompt",
      "A boat [mock:fail-006001094]",
      "--set",
      "aspect_ratio=1:1",
      "--max-poll-interval",
      "0.1",
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/Task task_\w+ failed: 006001094 Task resource insufficient/);
    expect(ran.stderr).toContain("run the same command again later");
  });

  it("needs KIRIN_API_KEY", async () => {
    const ran = await kirin(["generate", "--model", "kirin_v3_omni_video", "--prompt", "A boat", "--set", "aspect_ratio=1:1"], {
      env: { KIRIN_API_KEY: "" },
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("Set KIRIN_API_KEY");
  });
});

describe("kirin validate", () => {
  it("a valid body: exit 0; an invalid one: exit 2 with its rule ids; from a file or stdin", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "ok.json"), JSON.stringify({ model: "kirin_v3_omni_video", prompt: "A boat", aspect_ratio: "1:1" }));
    const ok = await kirin(["validate", "ok.json"], { cwd });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("ok.json: valid");
    const bad = await kirin(["validate", "-"], { input: JSON.stringify({ model: "kirin_v3_i2v", prompt: "x" }) });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/image-or-image-tail/);
    const json = await kirin(["validate", "--json", "-"], { input: JSON.stringify({ model: "kirin_v3_i2v", prompt: "x" }) });
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, issues: [{ rule: "image-or-image-tail" }] });
  });

  it("a jobs file: every problem with its line, before anything could be sent", async () => {
    const cwd = folder();
    writeFileSync(
      join(cwd, "jobs.jsonl"),
      [jobLine("a"), "{not json", jobLine("a"), JSON.stringify({ model: "kirin_v3_i2v", prompt: "no image" })].join("\n"),
    );
    const ran = await kirin(["validate", "jobs.jsonl"], { cwd });
    expect(ran.code).toBe(2);
    expect(ran.stdout).toContain("jobs.jsonl:2  jobs-json  not JSON");
    expect(ran.stdout).toContain("jobs.jsonl:3 /key  batch-duplicate-key");
    expect(ran.stdout).toContain("jobs.jsonl:4 /image  image-or-image-tail");
  });
});

describe("kirin task", () => {
  it("shows a task by id, and --wait --out follows it and saves its video", async () => {
    const cwd = folder();
    const created = JSON.parse(
      (
        await kirin([
          "generate",
          "--json",
          "--no-download",
          "--model",
          "kirin_v3_omni_video",
          "--prompt",
          "A boat",
          "--set",
          "aspect_ratio=1:1",
          "--max-poll-interval",
          "0.1",
        ])
      ).stdout,
    );
    const shown = await kirin(["task", created.task.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`task {6}${created.task.id}\\nstatus {4}completed`));
    const byExternalId = await kirin(["task", "--json", created.task.external_task_id]);
    expect(JSON.parse(byExternalId.stdout).task.id).toBe(created.task.id);
    const saved = await kirin(["task", created.task.id, "--wait", "--out", "v.mp4"], { cwd });
    expect(saved.code).toBe(0);
    expect(readFileSync(join(cwd, "v.mp4")).equals(SQUARE)).toBe(true);
  });

  it("an unknown task: exit 1 with the server's words", async () => {
    const ran = await kirin(["task", "task_nope"]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/404 not_found: No task has the id or external_task_id 'task_nope'/);
  });
});

describe("kirin batch", () => {
  it("runs every line once, saves the videos, and a rerun of the same command sends nothing", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "jobs.jsonl"), `${Array.from({ length: 6 }, (_, i) => jobLine(`shot/${i}`)).join("\n")}\n`);
    const before = { ...mock.creates };
    const args = [
      "batch",
      "jobs.jsonl",
      "--out",
      "results.jsonl",
      "--download",
      "videos",
      "--concurrency",
      "3",
      "--max-poll-interval",
      "0.1",
    ];
    const first = await kirin(args, { cwd });
    expect(first.code).toBe(0);
    const results = lines(readFileSync(join(cwd, "results.jsonl"), "utf8")).map((l) => JSON.parse(l));
    expect(results.map((r) => r.outcome)).toEqual(Array(6).fill("completed"));
    expect(results.map((r) => r.key).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `shot/${i}`));
    for (let i = 0; i < 6; i++) expect(readFileSync(join(cwd, "videos", `shot_${i}.mp4`)).equals(SQUARE)).toBe(true);
    expect(first.stdout).toMatch(/completed +6 +\$3.3600/);
    expect(mock.creates.made - before.made).toBe(6);

    const again = await kirin(args, { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("6 finished in earlier runs");
    expect(mock.creates.made - before.made).toBe(6);
    expect(mock.creates.repeated - before.repeated).toBe(0);
    expect(lines(readFileSync(join(cwd, "results.jsonl"), "utf8"))).toHaveLength(6);
  });

  it("a result the journal holds but the results file lost (the process died in between) is written on the next run, sending nothing", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "jobs.jsonl"), [jobLine("x"), jobLine("y"), jobLine("z")].join("\n"));
    const args = ["batch", "jobs.jsonl", "--out", "results.jsonl", "--max-poll-interval", "0.1"];
    expect((await kirin(args, { cwd })).code).toBe(0);
    const written = lines(readFileSync(join(cwd, "results.jsonl"), "utf8"));
    // Died after the journal's `end` of the last result and while writing its line: half a line.
    writeFileSync(join(cwd, "results.jsonl"), `${written.slice(0, 2).join("\n")}\n${written[2]!.slice(0, 40)}`);
    const before = { ...mock.creates };
    expect((await kirin(args, { cwd })).code).toBe(0);
    const after = lines(readFileSync(join(cwd, "results.jsonl"), "utf8"));
    expect(after.map((l) => JSON.parse(l).key).sort()).toEqual(["x", "y", "z"]);
    expect(after[2]).toBe(written[2]);
    expect(mock.creates.made).toBe(before.made);
  });

  it("an invalid line 4 stops the batch before anything is sent (exit 2, its line and rule)", async () => {
    const cwd = folder();
    writeFileSync(
      join(cwd, "jobs.jsonl"),
      [
        jobLine("a"),
        jobLine("b"),
        jobLine("c"),
        JSON.stringify({ key: "d", request: { model: "kirin_v3_omni_video", prompt: "A boat" } }),
      ].join("\n"),
    );
    const before = mock.creates.made;
    const ran = await kirin(["batch", "jobs.jsonl", "--out", "results.jsonl"], { cwd });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("jobs.jsonl:4 /aspect_ratio  aspect-ratio-required");
    expect(ran.stderr).toContain("nothing was sent");
    expect(mock.creates.made).toBe(before);
    expect(existsSync(join(cwd, "jobs.jsonl.journal"))).toBe(false);
  });

  it("--json: one JSON line per result, then the summary", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "jobs.jsonl"), [jobLine("a"), jobLine("b", "A boat [mock:fail-006001095]")].join("\n"));
    const ran = await kirin(["batch", "--json", "jobs.jsonl", "--out", "r.jsonl", "--max-poll-interval", "0.1"], { cwd });
    expect(ran.code).toBe(1);
    const out = lines(ran.stdout).map((l) => JSON.parse(l));
    expect(
      out
        .slice(0, 2)
        .map((r) => `${r.key}:${r.outcome}`)
        .sort(),
    ).toEqual(["a:completed", "b:failed"]);
    expect(out[2].summary).toMatchObject({ total: 2, completed: 1, failed: 1, failedByCode: { "006001095": 1 } });
  });

  it("on 200 lines against a rate-limited mock: backs off, and every line is done exactly once", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "jobs.jsonl"), Array.from({ length: 200 }, (_, i) => jobLine(`r${i}`)).join("\n"));
    const before = { ...limited.creates };
    const ran = await kirin(["batch", "jobs.jsonl", "--out", "results.jsonl", "--concurrency", "32", "--max-poll-interval", "0.1"], {
      cwd,
      server: limited,
    });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toMatch(/concurrency \d+\/32 \(429\)/);
    const results = lines(readFileSync(join(cwd, "results.jsonl"), "utf8")).map((l) => JSON.parse(l));
    expect(results.filter((r) => r.outcome === "completed")).toHaveLength(200);
    expect(new Set(results.map((r) => r.key)).size).toBe(200);
    expect({ made: limited.creates.made - before.made, repeated: limited.creates.repeated - before.repeated }).toEqual({
      made: 200,
      repeated: 0,
    });
  }, 60_000);

  it("Ctrl-C stops cleanly and says how to resume; the same command finishes with every line done once", async () => {
    const cwd = folder();
    writeFileSync(join(cwd, "jobs.jsonl"), Array.from({ length: 16 }, (_, i) => jobLine(`c${i}`)).join("\n"));
    const before = { ...mock.creates };
    const args = ["batch", "jobs.jsonl", "--out", "results.jsonl", "--concurrency", "4", "--max-poll-interval", "0.1"];
    const child = startCli(cli, args, { cwd, env: { KIRIN_API_KEY: KEY, KIRIN_BASE_URL: mock.url } });
    const done = finished(child);
    child.stdout!.once("data", () => child.kill("SIGINT"));
    const stopped = await done;
    outputs.push(stopped);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("Stopping: no new creates");
    expect(stopped.stderr).toContain(`Resume with:\n  kirin ${args.join(" ")}`);
    const resumed = await kirin(args, { cwd });
    expect(resumed.code).toBe(0);
    const completed = lines(readFileSync(join(cwd, "results.jsonl"), "utf8"))
      .map((l) => JSON.parse(l))
      .filter((r) => r.outcome === "completed")
      .map((r) => r.key);
    expect(completed.sort()).toEqual(Array.from({ length: 16 }, (_, i) => `c${i}`).sort());
    expect({ made: mock.creates.made - before.made, repeated: mock.creates.repeated - before.repeated }).toEqual({ made: 16, repeated: 0 });
  });
});

describe("the API key", () => {
  it("appears in no output of any command above", () => {
    expect(outputs.length).toBeGreaterThan(15);
    for (const ran of outputs) {
      expect(ran.stdout).not.toContain(KEY);
      expect(ran.stderr).not.toContain(KEY);
    }
  });
});
