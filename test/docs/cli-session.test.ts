// The recorded session in docs/cli-and-batch.md cannot rot: every command in it runs against the
// mock, exits as the session shows, and prints every line the session shows (up to ids, times,
// counts and order, which differ from run to run).
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { buildCli } from "../support/cli.js";
import { mockSeconds, normalize, play, readSession } from "./cli-session.js";

const steps = readSession();
let cli: string;
let mock: MockServer;
beforeAll(async () => {
  [cli, mock] = await Promise.all([buildCli("session-test"), startMockServer({ port: 0, taskSeconds: mockSeconds(steps), log: () => {} })]);
});
afterAll(() => mock?.close());

it("the session in docs/cli-and-batch.md is what the commands print now (re-record: npx tsx test/docs/cli-session.ts)", async () => {
  expect(steps.filter((s) => s.command.startsWith("kirin ")).length).toBeGreaterThanOrEqual(6);
  const { outputs } = await play(steps, cli, mock.url);
  steps.forEach((step, i) => {
    // Exit codes exactly; everything else up to what changes between runs.
    if (step.command === "echo $?") return void expect(outputs[i], `exit code of $ ${steps[i - 1]?.command}`).toEqual(step.output);
    const printed = new Set(outputs[i]!.map(normalize));
    const missing = step.output.filter((line) => !printed.has(normalize(line)));
    expect(missing, `$ ${step.command}\nprinted:\n${outputs[i]!.join("\n")}`).toEqual([]);
  });
}, 60_000);
