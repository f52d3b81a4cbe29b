// `kirin-api/msw`: the mock core as MSW request handlers, for the browser (`setupWorker`: Vite,
// Storybook, a static docs site) and test runners (`setupServer`: Vitest, Jest, Playwright's Node
// side). Same lifecycle, scenarios, callbacks, admin surface and sample videos as `npm start`.
import { type HttpHandler, http } from "msw";
import { createMockCore, type MockClock, type MockCore, type MockCoreOptions, systemClock } from "./core/index.js";

export interface MockHandlerOptions extends Partial<Omit<MockCoreOptions, "basePath" | "clock">> {
  /**
   * The base URL the client under test calls (its `baseUrl`); requests under it are answered by
   * the mock, others pass through. Default `http://127.0.0.1:4010`, the mock server's address.
   */
  baseUrl?: string;
  /** Runs time this many times faster: at 1000 a 6 s task completes in 6 ms. Ignored with `clock`. */
  speed?: number;
  /** Time under a test's control, e.g. `manualClock()` and its `advance(ms)`. */
  clock?: MockClock;
}

export type MockHandlers = HttpHandler[] & { core: MockCore };

/** Handlers for `setupWorker(...handlers)` or `setupServer(...handlers)`; `handlers.core` is the mock itself. */
export function createMockHandlers(options: MockHandlerOptions = {}): MockHandlers {
  const { baseUrl = "http://127.0.0.1:4010", speed = 1, clock, ...core } = options;
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const mock = createMockCore({ ...core, basePath, clock: clock ?? systemClock(speed) });
  const root = `${base.origin}${basePath}`;
  // One handler per path the core serves; the core's own route table decides the rest (405, 404).
  const handlers = ["/model/v1/*", "/media/*", "/__mock/*"].map((path) => http.all(`${root}${path}`, ({ request }) => mock.fetch(request)));
  return Object.assign(handlers, { core: mock });
}

export { type ManualClock, type MockClock, manualClock, systemClock } from "./core/clock.js";
export { type MockCore, SCENARIO_HEADER, SCENARIO_NAMES, SCENARIOS, SHAPES_HEADER } from "./core/index.js";
