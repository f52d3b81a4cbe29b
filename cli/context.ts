// What every command shares: the client (key from KIRIN_API_KEY, never printed), where output
// goes, exit codes, and the error that means "the input is wrong" (exit code 2).
import { createKirinClient, DEFAULT_BASE_URL, type KirinClient } from "../src/index.js";

export const EXIT = {
  ok: 0,
  /** Something did not succeed: a failed task, an error, requests left undone. */
  failed: 1,
  /** The input is wrong (invalid request, bad option): nothing was sent. */
  invalid: 2,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** The user's input is wrong; the message says what and where. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The options every command takes (commander puts them on the program). */
export interface GlobalOptions {
  baseUrl?: string;
  json?: boolean;
}

export interface Output {
  /** Machine output: JSON on stdout, nothing drawn. */
  json: boolean;
  /** Bars and redrawn lines: stderr is a terminal and no --json. */
  interactive: boolean;
  /** Progress and notices (stderr). */
  stderr: NodeJS.WriteStream;
  /** Results (stdout). */
  stdout: NodeJS.WriteStream;
  /** A line to stdout. */
  print(line: string): void;
  /** A line to stderr. */
  note(line: string): void;
}

export function outputFor(options: GlobalOptions, streams = { stdout: process.stdout, stderr: process.stderr }): Output {
  const json = options.json === true;
  const interactive = !json && streams.stderr.isTTY === true && process.env.TERM !== "dumb";
  return {
    json,
    interactive,
    ...streams,
    print: (line) => void streams.stdout.write(`${line}\n`),
    note: (line) => void streams.stderr.write(`${line}\n`),
  };
}

/** The base URL: --base-url, else KIRIN_BASE_URL, else the production gateway. */
export function baseUrlOf(options: GlobalOptions): string {
  return options.baseUrl ?? process.env.KIRIN_BASE_URL ?? DEFAULT_BASE_URL;
}

export function clientFor(options: GlobalOptions): KirinClient {
  const apiKey = process.env.KIRIN_API_KEY?.trim();
  if (!apiKey) throw new UsageError("Set KIRIN_API_KEY to your API key (against the mock, any non-empty value works).");
  return createKirinClient({ apiKey, baseUrl: baseUrlOf(options), retries: 3 });
}
