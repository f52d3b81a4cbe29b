// `npm start`: bundles the mock (TypeScript, with the src/ rules it shares with the client) into one
// plain ES module and runs it. A bundle starts faster and needs ~30 MB less memory than a
// TypeScript loader; esbuild takes ~20 ms.
import { build, stop } from "esbuild";

const help = process.argv.slice(2).some((a) => a === "--help" || a === "-h");
await build({
  entryPoints: [new URL("cli.ts", import.meta.url).pathname],
  outfile: new URL(".build/cli.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
if (!help) {
  // The pages the mock serves: the playground's script (~50 ms, from the same src/ the mock runs),
  // and the reference (~1 s with Redocly) only when it is missing or older than the contract.
  // `--help` needs neither.
  const { buildPlayground } = await import("../docs/playground/build.mjs");
  const { ensureReference } = await import("../docs/build.mjs");
  await buildPlayground();
  ensureReference();
}
// esbuild keeps a service process (~20 MB) alive until told to stop; the mock needs it no longer.
await stop();
const { runMockCli } = await import("./.build/cli.mjs");
await runMockCli(process.argv.slice(2));
