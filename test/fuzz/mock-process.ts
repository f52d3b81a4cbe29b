// The mock in a process of its own, for the fan-out test: options as JSON in the first argument,
// its URL on stdout. The test needs a callback timeout longer than itself (no delivery ends, so
// every socket the receiver sees stays open), which the command line does not offer.
import { startMockServer } from "../../mock/server.js";

const mock = await startMockServer({ port: 0, log: () => {}, ...JSON.parse(process.argv[2] ?? "{}") });
console.log(`Kirin mock API on ${mock.url}`);
