// `npm start`: bundles the mock (TypeScript, with the src/ rules it shares with the client) into one
// plain ES module and runs it. A bundle starts faster and needs ~30 MB less memory than a
// TypeScript loader; esbuild takes ~20 ms.
import { build } from "esbuild";
import { ensureReference } from "../docs/build.mjs";
import { buildPlayground } from "../docs/playground/build.mjs";

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
// The playground's script is build output too (~50 ms), built from the same src/ the mock runs.
await buildPlayground();
// The reference page (~1 s with Redocly) only when it is missing or older than the contract.
ensureReference();
const { runMockCli } = await import("./.build/cli.mjs");
await runMockCli(process.argv.slice(2));
