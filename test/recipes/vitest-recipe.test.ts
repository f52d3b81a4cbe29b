// A Vitest suite with the Kirin mock in the test process: no server, no port, time under control.

import { createKirinClient, KirinApiError } from "kirin-api";
import { createMockHandlers, manualClock } from "kirin-api/msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";

const clock = manualClock();
const server = setupServer(...createMockHandlers({ baseUrl: "https://api.example.test", clock }));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const kirin = createKirinClient({ apiKey: "test-key", baseUrl: "https://api.example.test" });

it("walks a task to completed as the clock moves", async () => {
  const created = await kirin.createTask({ model: "kirin_v3_omni_video", prompt: "A boat.", aspect_ratio: "1:1" });
  expect(created.status).toBe("processing"); // the gateway's in_progress, read by the client
  clock.advance(6_000);
  const done = await kirin.getTask(created.id);
  expect(done.status).toBe("completed");
  expect(done.output?.[0]?.content?.[0]?.url).toMatch(/sample-1x1\.mp4/);
});

it("plays a scenario: 402 when the account has no credit", async () => {
  const broke = createKirinClient({
    apiKey: "test-key",
    baseUrl: "https://api.example.test",
    fetch: (request) => (request.headers.set("X-Kirin-Mock-Scenario", "insufficient-credits"), fetch(request)),
  });
  const error = await broke.createTask({ model: "kirin_v3_omni_video", prompt: "A boat.", aspect_ratio: "1:1" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KirinApiError);
  expect((error as KirinApiError).status).toBe(402);
});
