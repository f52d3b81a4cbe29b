// src/mocks.ts in a Vite + React app: the Kirin mock answers in the browser, no API server.
// Once: `npx msw init public/` (copies msw's worker script into the folder Vite serves).

import { createKirinClient } from "kirin-api";
import { createMockHandlers } from "kirin-api/msw";
import { setupWorker } from "msw/browser";

// Any URL works: the worker answers every request under it. `speed: 3` runs tasks 3x faster.
const baseUrl = new URL("kirin-mock", document.baseURI).href;
const worker = setupWorker(...createMockHandlers({ baseUrl, speed: 3 }));
await worker.start({
  serviceWorker: { url: new URL("mockServiceWorker.js", document.baseURI).href },
  onUnhandledRequest: "bypass",
});

// The mock takes any key; in production the browser talks to your own proxy route instead.
export const kirin = createKirinClient({ apiKey: "mock-key", baseUrl });
