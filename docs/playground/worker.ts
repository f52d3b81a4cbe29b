// The playground on the static site: the mock core answers in the browser, on MSW's worker, so the
// page needs no API server. Starts the worker, tells the playground where the mock answers, then
// runs the playground itself (the same module `npm start` serves).
import { setupWorker } from "msw/browser";
import { createMockHandlers } from "../../mock/msw.js";

// Under this page's own folder, so that the site works from any path prefix.
const baseUrl = new URL("../mock-api", location.href).href;
const worker = setupWorker(...createMockHandlers({ baseUrl, log: () => {} }));
await worker.start({
  // At the site's root: its scope covers every page of the site.
  serviceWorker: { url: new URL("../mockServiceWorker.js", location.href).href },
  onUnhandledRequest: "bypass",
  quiet: true,
});
(globalThis as { KIRIN_API_BASE?: string }).KIRIN_API_BASE = baseUrl;
await import("./playground.js");
