// kirin-api/msw in the test process (setupServer): the speed option, a base URL with a path, and
// requests outside it left alone.

import { createKirinClient } from "kirin-api";
import { createMockHandlers } from "kirin-api/msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";

const handlers = createMockHandlers({ baseUrl: "https://gateway.test/v1/", speed: 1000, log: () => {} });
const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

it("speed 1000 finishes a 6-second task before the client first polls it, under the base URL's path", async () => {
  const kirin = createKirinClient({ apiKey: "k", baseUrl: "https://gateway.test/v1" });
  const task = await kirin.generate({ model: "kirin_v3_omni_video", prompt: "A boat.", aspect_ratio: "16:9" });
  expect(task.status).toBe("completed");
  expect(task.output?.[0]?.content?.[0]?.url).toMatch(/^https:\/\/gateway\.test\/v1\/media\/sample-16x9\.mp4\?/);
  const video = await fetch(task.output![0]!.content![0]!.url);
  expect(video.headers.get("content-type")).toBe("video/mp4");
  expect(handlers.core.requests.map((r) => r.method)).toContain("POST");
});

it("answers nothing outside its base URL", async () => {
  const outside = await fetch("https://gateway.test/model/v1/generation", { method: "POST" }).catch((e: unknown) => e);
  // onUnhandledRequest "error": the request matched no handler.
  expect(outside).toBeInstanceOf(Error);
});
