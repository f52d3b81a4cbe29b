// `kirin-api/msw` in a test runner's way: the mock as MSW handlers on msw/node's server, no port.

import { createKirinClient } from "kirin-api";
import { createMockHandlers } from "kirin-api/msw";
import { setupServer } from "msw/node";
import { request } from "./requests.js";

const baseUrl = "http://kirin.mock.test";
// @ts-expect-error speed is a number: how many times faster the mock's clock runs
createMockHandlers({ baseUrl, speed: "fast" });

async function main(): Promise<void> {
  const server = setupServer(...createMockHandlers({ baseUrl, speed: 20 }));
  server.listen({ onUnhandledRequest: "error" });
  try {
    const task = await createKirinClient({ apiKey: "package-test-key", baseUrl }).generate(request, { timeoutMs: 30_000 });
    console.log(`ok msw: task ${task.status}`);
  } finally {
    server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
