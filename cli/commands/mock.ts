// `kirin mock`: the mock API, the same as `npm start` (its options and --help are the mock's own).
export async function mockCommand(args: string[]): Promise<void> {
  // Loaded only for this command: the mock reads the contract and its sample video at start.
  const { runMockCli } = await import("../../mock/cli.js");
  await runMockCli(args, "kirin mock");
}
