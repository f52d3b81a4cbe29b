// `kirin-api/mock`: the mock API for Node - a CI job starts it without cloning this repository.
// `startMockServer` serves it on a port; `createMockCore` is the same mock as a Fetch handler.

export { runMockCli } from "./cli.js";
export {
  createMockCore,
  type ManualClock,
  type MockClock,
  type MockCore,
  type MockCoreOptions,
  manualClock,
  SCENARIO_HEADER,
  SCENARIO_NAMES,
  SCENARIOS,
  SHAPES_HEADER,
  systemClock,
} from "./core/index.js";
export { DEFAULTS, type MockOptions, type MockServer, startMockServer } from "./server.js";
