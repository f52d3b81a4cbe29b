// `kirin-api/mock`: the mock API for Node - a CI job starts it without cloning this repository.
// `startMockServer` serves it on a port; `createMockCore` is the same mock as a Fetch handler.
export { DEFAULTS, startMockServer, type MockOptions, type MockServer } from "./server.js";
export { runMockCli } from "./cli.js";
export {
  SCENARIOS,
  SCENARIO_HEADER,
  SCENARIO_NAMES,
  SHAPES_HEADER,
  createMockCore,
  manualClock,
  systemClock,
  type ManualClock,
  type MockClock,
  type MockCore,
  type MockCoreOptions,
} from "./core/index.js";
