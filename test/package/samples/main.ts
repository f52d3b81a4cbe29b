// The package as a Node program uses it, written once for ES modules and CommonJS alike (no
// top-level await, no import.meta): start the mock from `kirin-api/mock`, create a task, wait for
// it, download its video with `kirin-api/node`, and check that `kirin-api/node` throws the very
// KirinError class `kirin-api` exports (the entries share their code in this format too).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKirinClient, KirinError, validateRequest } from "kirin-api";
import { startMockServer } from "kirin-api/mock";
import { downloadVideo } from "kirin-api/node";
import { describeRequest, request } from "./requests.js";

/** "commonjs" when this file was compiled to CommonJS (and so loaded the package with require). */
const format = typeof module === "object" && typeof require === "function" ? "commonjs" : "esm";

async function main(): Promise<void> {
  const issues = validateRequest(request).issues;
  if (issues.length > 0) throw new Error(`the sample request breaks rules: ${JSON.stringify(issues)}`);
  const mock = await startMockServer({ host: "127.0.0.1", port: 0, taskSeconds: 0.5, log: () => {} });
  const folder = mkdtempSync(join(tmpdir(), "kirin-consumer-"));
  try {
    const client = createKirinClient({ apiKey: "package-test-key", baseUrl: mock.url });
    const created = await client.createTask(request);
    const task = await client.waitForTask(created.id, { timeoutMs: 30_000 });
    const video = await downloadVideo(task, join(folder, "video.mp4"));
    const failure = await downloadVideo({ ...task, output: [] }, join(folder, "none.mp4")).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(failure instanceof KirinError)) throw new Error(`kirin-api/node threw something other than kirin-api's KirinError: ${failure}`);
    console.log(`ok ${format}: ${describeRequest(request)}, task ${task.status}, video ${video.bytes} bytes`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await mock.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
