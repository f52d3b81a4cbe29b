// The browser-safe part alone, as an app bundles it: create a task against `baseUrl` and wait.
// The package test bundles this for the browser (nothing may pull in a Node module) and, through
// bundled.ts, for Node, where it runs against the mock the `kirin` command serves.
import { createKirinClient, videoUrls, type Task } from "kirin-api";
import { describeRequest, request } from "./requests.js";

export async function generateOne(baseUrl: string): Promise<{ task: Task; line: string }> {
  const client = createKirinClient({ apiKey: "package-test-key", baseUrl });
  const task = await client.generate(request, { timeoutMs: 30_000 });
  return { task, line: `${describeRequest(request)}, task ${task.status}, ${videoUrls(task).length} video` };
}
