// `npm start` (mock/start.mjs) in a scratch copy of the project's sources with no built reference:
// `--help` answers without building the docs, and a running mock leaves no esbuild service
// process behind (it holds ~20 MB for as long as the mock runs).
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let copy: string;
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "kirin-start-"));
  for (const dir of ["mock", "docs", "src", "generated"])
    cpSync(dir, join(copy, dir), { recursive: true, filter: (f) => !/reference\.html$|\.build|playground\.js$/.test(f) });
  cpSync("package.json", join(copy, "package.json"));
  symlinkSync(resolve("node_modules"), join(copy, "node_modules"));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function run(args: string[], until?: string): Promise<{ out: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["mock/start.mjs", ...args], { cwd: copy, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (until && out.includes(until)) resolve({ out, child });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => (code === 0 && !until ? resolve({ out, child }) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

describe("npm start", () => {
  it("--help prints the options and scenarios without building the reference", async () => {
    const { out } = await run(["--help"]);
    expect(out).toContain("--api-key KEY");
    expect(out).toContain("rate-limit-once");
    expect(out).not.toContain("Building docs/reference.html");
    expect(existsSync(join(copy, "docs/reference.html"))).toBe(false);
  }, 60_000);

  it("a running mock has no child process left (esbuild's service is stopped)", async () => {
    const { child, out } = await run(["--port", "0"], "Kirin mock API on");
    try {
      expect(out).toContain("/__mock/tasks");
      // esbuild's stop() closes the service's input; the process then exits on its own.
      const children = () => readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
      await expect.poll(children, { timeout: 10_000 }).toBe("");
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);
});
