// Testing code that uses the Kirin client against the Kirin mock, in the test process (MSW): the
// real client on the real wire format, the mock's task lifecycle and scenarios, time under the
// test's control - no server, no port.

import { createKirinClient, type KirinClient, videoUrls } from "kirin-api";
import { createMockHandlers, manualClock } from "kirin-api/msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";

// The code under test: the line a page shows for a task.
async function statusLine(kirin: Pick<KirinClient, "getTask">, id: string): Promise<string> {
  const task = await kirin.getTask(id);
  if (task.status === "completed") return `ready: ${videoUrls(task)[0]}`;
  if (task.status === "failed") return `failed: ${task.error?.error_message ?? task.error?.code}`;
  return `working: ${Math.round((task.progress ?? 0) * 100)}%`;
}

const baseUrl = "https://kirin.example.test";
const clock = manualClock();
const server = setupServer(...createMockHandlers({ baseUrl, clock }));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const kirin = createKirinClient({ apiKey: "test-key", baseUrl });

it("follows a task from its start to its video as the clock moves", async () => {
  const { id } = await kirin.createTask({ model: "kirin_v3_omni_video", prompt: "A paper boat.", aspect_ratio: "16:9" });
  expect(await statusLine(kirin, id)).toBe("working: 0%");
  clock.advance(6_000); // a mock task takes 6 s
  expect(await statusLine(kirin, id)).toMatch(/^ready: https:\/\/kirin\.example\.test\/media\/sample-16x9\.mp4/);
});

it("shows a failure the mock plays on request", async () => {
  // `[mock:NAME]` in a prompt picks a scenario: this task fails half way.
  const { id } = await kirin.createTask({ model: "kirin_v3_omni_video", prompt: "A paper boat. [mock:fail-at:50]", aspect_ratio: "16:9" });
  clock.advance(6_000);
  expect(await statusLine(kirin, id)).toBe("failed: Task response error");
});
