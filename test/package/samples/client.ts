// The browser-safe part alone, as an app bundles it: create a task against `baseUrl` and wait,
// once with `kirin-api`'s client and once with `kirin-api/client`'s, handed validateRequest. The
// package test bundles this for the browser (nothing may pull in a Node module) and, through
// bundled.ts, for Node, where it runs against the mock the `kirin` command serves.
import { createKirinClient, type Task, validateRequest, videoUrls } from "kirin-api";
import { createKirinClient as createLightClient, KirinValidationError } from "kirin-api/client";
import { describeRequest, request } from "./requests.js";

export async function generateOne(baseUrl: string): Promise<{ task: Task; line: string }> {
  const client = createKirinClient({ apiKey: "package-test-key", baseUrl });
  const task = await client.generate(request, { timeoutMs: 30_000 });
  const light = createLightClient({ apiKey: "package-test-key", baseUrl, validate: validateRequest });
  const again = await light.generate({ ...request, external_task_id: `${task.id}-light` }, { timeoutMs: 30_000 });
  // A rule the light client only knows from the validator it was handed: nothing is sent.
  const refused = await light.createTask({ ...request, prompt: "" }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(refused instanceof KirinValidationError)) throw new Error(`kirin-api/client did not validate: ${String(refused)}`);
  return { task, line: `${describeRequest(request)}, tasks ${task.status} and ${again.status}, ${videoUrls(task).length} video` };
}
