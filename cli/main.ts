#!/usr/bin/env node
// `kirin`: the command line of kirin-api. Argument parsing and --help are commander's; each
// command lives in commands/. Exit codes: 0 done, 1 something did not succeed, 2 invalid input
// (nothing was sent), 130 stopped by Ctrl-C.
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { KirinError } from "../src/index.js";
import { batchCommand } from "./commands/batch.js";
import { generateCommand } from "./commands/generate.js";
import { mockCommand } from "./commands/mock.js";
import { taskCommand } from "./commands/task.js";
import { validateCommand } from "./commands/validate.js";
import { EXIT, type GlobalOptions, UsageError } from "./context.js";

const version = ownVersion();

const positive = (what: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${what} must be a number of at least ${min}.`);
  return n;
};
const whole = (what: string, min: number) => (value: string) => {
  const n = positive(what, min)(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be a whole number.`);
  return n;
};
const collect = (value: string, previous: string[]) => [...previous, value];
const pollOption = () =>
  new Option("--max-poll-interval <seconds>", "longest wait between status requests (default: adaptive, see the polling guide)").argParser(
    positive("--max-poll-interval", 0.05),
  );

const program = new Command("kirin")
  .description(
    "Create Kirin videos from the command line: one (generate), many (batch), or check requests (validate).\n" +
      "The API key is read from KIRIN_API_KEY and never printed.",
  )
  .version(version)
  .option("--base-url <url>", "API base URL [KIRIN_BASE_URL] (default: the production gateway)")
  .option("--json", "machine output: JSON on stdout, no bars")
  .showSuggestionAfterError()
  .exitOverride();

let exitCode: number | undefined;
const globals = (command: Command) => command.optsWithGlobals() as GlobalOptions;

program
  .command("generate")
  .description("Validate a request, create the task, follow it with a live bar, download the video, print the cost.")
  .requiredOption("--model <model>", "kirin_v3_i2v or kirin_v3_omni_video")
  .option("--prompt <text>", "what happens in the video")
  .option("--image <path|url>", "the start frame: a URL, or a JPEG/PNG file sent as Base64")
  .option("--set <key=value>", "any other parameter (repeatable); values are JSON when they parse, else text", collect, [])
  .option("--out <file>", "where to save the video (default: <task id>.mp4)")
  .option("--no-download", "do not download the video")
  .option("--resend-if-absent", "after an unclear create failure and a look-up that finds nothing, send the create again")
  .addOption(pollOption())
  .addHelpText(
    "after",
    '\nExample:\n  kirin generate --model kirin_v3_omni_video --prompt "A paper boat" --set aspect_ratio=16:9 --set duration=5 --out boat.mp4',
  )
  .action(async (flags, command: Command) => {
    exitCode = await generateCommand(flags, globals(command));
  });

program
  .command("batch")
  .description("Run many requests (JSON lines) with bounded, adaptive concurrency; resumable by running the same command again.")
  .argument("<jobs>", 'JSON lines: {"key": "...", "request": {...}} or a request per line ("-": stdin, needs --journal)')
  .requiredOption("--out <file>", "results, one JSON line each (appended)")
  .option("--download <dir>", "save each completed video as <dir>/<key>.mp4")
  .addOption(new Option("--concurrency <n>", "most tasks in flight at once").default(8).argParser(whole("--concurrency", 1)))
  .option("--journal <file>", "what was sent, for resuming (default: <jobs>.journal)")
  .option("--resend-if-absent", "when a create may have been sent and a look-up by its external_task_id finds nothing, send it again")
  .addOption(
    new Option("--recreate-attempts <n>", "creates after a task fails with 006001094")
      .default(2)
      .argParser(whole("--recreate-attempts", 0)),
  )
  .addOption(pollOption())
  .addHelpText(
    "after",
    "\nExit code 0 when every request completed, 1 when some did not, 2 for invalid input (nothing sent),\n130 when stopped with Ctrl-C. Run the same command again to resume: nothing is created twice.",
  )
  .action(async (jobs: string, flags, command: Command) => {
    exitCode = await batchCommand(jobs, flags, globals(command), process.argv.slice(2));
  });

program
  .command("validate")
  .description("Check a request (JSON) or a jobs file (JSON lines) against the rules, without sending anything.")
  .argument("<file>", 'the file, or "-" for stdin')
  .action(async (file: string, _flags, command: Command) => {
    exitCode = await validateCommand(file, globals(command));
  });

program
  .command("task")
  .description("Show a task by its id or external_task_id; --wait follows it to its end.")
  .argument("<id>", "task id or external_task_id")
  .option("--wait", "follow the task with a live bar until it ends")
  .option("--out <file>", "save its video once it is completed")
  .addOption(pollOption())
  .action(async (id: string, flags, command: Command) => {
    exitCode = await taskCommand(id, flags, globals(command));
  });

program
  .command("mock")
  .description("Serve the mock API (the same as `npm start`); `kirin mock --help` lists its options.")
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument("[options...]")
  .action(async (args: string[]) => {
    await mockCommand(args);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitCode = failure(error);
}
// The mock keeps serving after its command returns; every other command ends here.
if (exitCode !== undefined) {
  process.exitCode = exitCode;
}

/** This package's version, from the package.json above this file (source, bundle or installed package). */
function ownVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; ) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "kirin-api" && pkg.version) return pkg.version;
    } catch {
      // Not here: look one folder up.
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) return "unknown";
    dir = parent;
  }
}

function failure(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander printed its message (or the help) already.
    return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`kirin: ${error.message}\n`);
    return EXIT.invalid;
  }
  process.stderr.write(`kirin: ${error instanceof KirinError ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
  return EXIT.failed;
}
