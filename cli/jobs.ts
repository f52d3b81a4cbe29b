// The jobs file of `kirin batch`: JSON lines, one request each, either
//   {"key": "fox-1", "request": {"model": "kirin_v3_i2v", ...}}    the key is yours
//   {"model": "kirin_v3_i2v", ...}                                   the key is the request's
//                                                                    external_task_id, else line-N
// Keys name requests across reruns (the journal is kept by key), so a line-N key is only as
// stable as the file's line order.
import type { BatchItem, KirinRequest } from "../src/index.js";

export interface Job {
  /** 1-based line in the file. */
  line: number;
  item: BatchItem;
}

export interface JobsReading {
  jobs: Job[];
  /** Lines that are not a job, each as `name:line  rule  message`. */
  problems: string[];
}

export function parseJobs(text: string, name: string): JobsReading {
  const jobs: Job[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const source = raw.trim();
    if (source === "") return;
    const problem = (rule: string, message: string) => problems.push(`${name}:${line}  ${rule}  ${message}`);
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      return problem("jobs-json", `not JSON: ${(error as Error).message}`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) return problem("jobs-line", "a line must be a JSON object");
    const object = value as Record<string, unknown>;
    if ("request" in object) {
      const extra = Object.keys(object).filter((k) => k !== "key" && k !== "request");
      if (extra.length > 0)
        return problem(
          "jobs-line",
          `unknown field${extra.length > 1 ? "s" : ""} ${extra.join(", ")}: a line is {"key", "request"} or a request alone`,
        );
      if (!object.request || typeof object.request !== "object" || Array.isArray(object.request))
        return problem("jobs-line", "`request` must be an object { model, ...params }");
      jobs.push({ line, item: { key: object.key as string, request: object.request as KirinRequest } });
      return;
    }
    const key = typeof object.external_task_id === "string" ? object.external_task_id : `line-${line}`;
    jobs.push({ line, item: { key, request: object as unknown as KirinRequest } });
  });
  return { jobs, problems };
}
