// `kirin validate FILE|-`: a request body (JSON), or a jobs file (JSON lines), checked locally with
// the rules the client and the mock use. Exit code 2 when anything would be refused.
import { readFile } from "node:fs/promises";
import { validateBatch, validateRequest } from "../../src/index.js";
import { EXIT, type GlobalOptions, outputFor } from "../context.js";
import { issueLines } from "../issues.js";
import { parseJobs } from "../jobs.js";

export async function validateCommand(file: string, globals: GlobalOptions): Promise<number> {
  const output = outputFor(globals);
  const name = file === "-" ? "stdin" : file;
  const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
  let body: unknown;
  let single = true;
  try {
    body = JSON.parse(text);
  } catch {
    single = false;
  }
  if (single && body !== null && typeof body === "object" && !Array.isArray(body)) {
    const { valid, issues } = validateRequest(body);
    if (output.json) output.print(JSON.stringify({ valid, issues }));
    else {
      for (const line of issueLines(issues)) output.print(line);
      output.print(valid ? `${name}: valid${issues.length ? " (with warnings)" : ""}` : `${name}: invalid`);
    }
    return valid ? EXIT.ok : EXIT.invalid;
  }
  // Not one JSON object: a jobs file, one request a line.
  const { jobs, problems } = parseJobs(text, name);
  const lines = [...problems];
  for (const p of validateBatch(jobs.map((j) => j.item))) {
    const where = `${name}:${jobs[p.index]!.line} `;
    lines.push(...issueLines(p.issues, where));
  }
  const valid = lines.length === 0;
  if (output.json) output.print(JSON.stringify({ valid, requests: jobs.length, problems: lines }));
  else {
    for (const line of lines) output.print(line);
    output.print(valid ? `${name}: ${jobs.length} requests, all valid` : `${name}: invalid; nothing would be sent`);
  }
  return valid ? EXIT.ok : EXIT.invalid;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
