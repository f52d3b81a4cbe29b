// The terminal session recorded in docs/cli-and-batch.md, played again against the mock: each
// `$ kirin ...` line runs the real command line, `$ cat FILE` writes FILE with the lines shown,
// `$ ls DIR` lists it, `$ echo $?` shows the last exit code, and a `^C` in a command's output is a
// Ctrl-C sent once that command has printed its first result. Re-record the session after a
// change of output with `npx tsx test/docs/cli-session.ts` (it rewrites the block in the guide).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startMockServer } from "../../mock/server.js";
import { buildCli, startCli } from "../support/cli.js";

export const GUIDE = "docs/cli-and-batch.md";
const BLOCK = /^```console\n([\s\S]*?)^```$/m;

export interface Step {
  command: string;
  output: string[];
}

/** The steps of the guide's console block. */
export function readSession(markdown = readFileSync(GUIDE, "utf8")): Step[] {
  const block = BLOCK.exec(markdown)?.[1];
  if (!block) throw new Error(`${GUIDE} has no console block`);
  const steps: Step[] = [];
  for (const line of block.split("\n").slice(0, -1)) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: [] });
    else steps.at(-1)?.output.push(line);
  }
  return steps;
}

/** The mock's task time the session asks for (`kirin mock --task-seconds N &`). */
export function mockSeconds(steps: Step[]): number {
  const mock = steps.find((s) => s.command.startsWith("kirin mock"));
  return Number(/--task-seconds (\S+)/.exec(mock?.command ?? "")?.[1] ?? 6);
}

/** Words of a command line as a POSIX shell splits them (plain words and double quotes). */
function words(command: string): string[] {
  return [...command.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!));
}

/**
 * Plays `steps` against `baseUrl` and returns what each printed (stdout and stderr as they came).
 * Each `$ cat` starts a part of the session that needs nothing from the parts before it but the
 * exported variables: the parts play at once, each in a fresh folder, since most of the time is
 * spent waiting for tasks.
 */
export async function play(steps: Step[], cli: string, baseUrl: string): Promise<{ outputs: string[][] }> {
  const env: Record<string, string> = {};
  for (const step of steps) {
    const [program, ...args] = words(step.command);
    if (program === "export") for (const pair of args) env[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
  }
  const parts: Step[][] = [];
  for (const step of steps) {
    if (parts.length === 0 || step.command.startsWith("cat ")) parts.push([]);
    parts.at(-1)!.push(step);
  }
  const played = await Promise.all(parts.map((part) => playPart(part, cli, { ...env, KIRIN_BASE_URL: baseUrl })));
  return { outputs: played.flat() };
}

async function playPart(steps: Step[], cli: string, env: Record<string, string>): Promise<string[][]> {
  const cwd = mkdtempSync(join(tmpdir(), "kirin-session-"));
  const outputs: string[][] = [];
  let last: number | null = 0;
  for (const step of steps) {
    const [program, ...args] = words(step.command);
    let lines: string[] = [];
    if (program === "cat") {
      writeFileSync(join(cwd, args[0]!), `${step.output.join("\n")}\n`);
      lines = step.output;
    } else if (program === "ls") {
      lines = readdirSync(join(cwd, args[0]!)).sort();
    } else if (program === "echo") {
      lines = [String(last)];
    } else if (program === "kirin" && args[0] !== "mock") {
      const child = startCli(cli, args, { cwd, env });
      const interrupt = step.output.includes("^C");
      let text = "";
      let sent = false;
      child.stdout!.on("data", (chunk) => {
        text += chunk;
        if (interrupt && !sent) {
          sent = true;
          text += "^C\n";
          child.kill("SIGINT");
        }
      });
      child.stderr!.on("data", (chunk) => (text += chunk));
      last = await new Promise((resolve) => child.once("close", (code) => resolve(code)));
      lines = text.split("\n").slice(0, -1);
    }
    outputs.push(lines);
  }
  return outputs;
}

/** A line with what changes from run to run made constant: ids, times, counts, costs. */
export function normalize(line: string): string {
  return line
    .replace(/task_[0-9a-f]{24}/g, "task_ID")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID")
    .replace(/\d+/g, "N")
    .replace(/ +/g, " ");
}

// `npx tsx test/docs/cli-session.ts`: plays the session and writes what it printed into the guide.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const steps = readSession();
  const [cli, mock] = await Promise.all([
    buildCli("session-record"),
    startMockServer({ port: 0, taskSeconds: mockSeconds(steps), log: () => {} }),
  ]);
  const { outputs } = await play(steps, cli, mock.url);
  await mock.close();
  // The session's own export names the mock's usual address; the recording used a free port.
  const shown = (line: string) => line.replaceAll(mock.url, "http://127.0.0.1:4010");
  const block = steps.map((s, i) => [`$ ${s.command}`, ...outputs[i]!.map(shown)].join("\n")).join("\n");
  const markdown = readFileSync(GUIDE, "utf8");
  writeFileSync(
    GUIDE,
    markdown.replace(BLOCK, () => `\`\`\`console\n${block}\n\`\`\``),
  );
  console.log(`${GUIDE}: session re-recorded (${steps.length} commands)`);
}
