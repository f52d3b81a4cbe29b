// The `kirin` command for tests: bundled from cli/main.ts with the build's esbuild (a bundle starts
// in a fraction of a TypeScript loader's time, which matters when a test runs it dozens of times),
// and run as a real child process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const OUT = join(process.cwd(), "node_modules/.cache/kirin-cli");

/** Bundles the command line to its own file (test files run in parallel) and returns its path. */
export async function buildCli(name: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: ["cli/main.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundle with `args`; `env` is added to a copy of this process's environment. */
export function runCli(
  cli: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<Ran> {
  return finished(startCli(cli, args, options));
}

export function startCli(
  cli: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; nodeArgs?: string[] } = {},
): ChildProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cli, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin!.end(options.input ?? "");
  return child;
}

/** The child's exit and everything it wrote. */
export function finished(child: ChildProcess): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
