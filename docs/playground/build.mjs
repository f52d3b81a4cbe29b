// Builds the playground's script (docs/playground/playground.js, git-ignored build output) from
// playground.ts and the runtime in src/. `npm start`, `npm run docs` and the browser test call
// this; esbuild takes ~50 ms, so it runs every time rather than guessing whether it is stale.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { scenariosOf } from "../../mock/scenario-list.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The contract's mock scenarios, baked into the bundle so the page needs no extra request. */
const scenarios = () => scenariosOf(JSON.parse(readFileSync(here("../../generated/openapi.json"), "utf8")));

/** Builds the minified bundle; writes it unless `write` is false; returns its bytes. */
export async function buildPlayground({ write = true } = {}) {
  const result = await build({
    entryPoints: [here("playground.ts")],
    outfile: here("playground.js"),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { KIRIN_MOCK_SCENARIOS: JSON.stringify(scenarios()) },
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  const bytes = result.outputFiles[0].contents;
  if (write) {
    // Write then rename: a server reading the file while a second build runs (two test files
    // can build at once) sees the old script or the new one, never half of one.
    const temp = here(`playground.js.${process.pid}.tmp`);
    writeFileSync(temp, bytes);
    renameSync(temp, here("playground.js"));
  }
  return bytes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await buildPlayground();
