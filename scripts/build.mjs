// `npm run build`: dist/index.js (the browser-safe entry point), dist/node.js (`kirin-api/node`),
// dist/cli.js (the `kirin` command), dist/mock.js and dist/msw.js (the mock) in one ESM build of src/, cli/, mock/ and the generated
// validators, with code they share in chunks: an error class thrown by `kirin-api/node` is the one
// `kirin-api` exports, so `instanceof` holds across them. Dependencies stay imports. Types are
// tsc's declarations of src/ (dist/src/) next to copies of the generated declarations they import
// (dist/generated/), so every import in them resolves.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
const result = await build({
  // The browser entry, the Node module, the command line, the mock for Node (`kirin-api/mock`) and
  // as MSW handlers (`kirin-api/msw`; msw stays the user's own copy, an optional peer dependency).
  entryPoints: { index: "src/index.ts", node: "src/node.ts", cli: "cli/main.ts", mock: "mock/index.ts", msw: "mock/msw.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  // Neutral: nothing may lean on Node built-ins unnoticed; the Node modules name theirs (`node:`).
  platform: "neutral",
  external: ["node:*"],
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});
assertBrowserSafe(result.metafile, "dist/index.js");


execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.mock-build.json"], { stdio: "inherit" });
copyFileSync("mock/scenario-list.d.mts", "dist/mock/scenario-list.d.mts");
mkdirSync("dist/generated", { recursive: true });
for (const file of ["schema.d.ts", "validators.d.ts", "mock-scenarios.d.ts"]) copyFileSync(`generated/${file}`, `dist/generated/${file}`);
writeFileSync("dist/index.d.ts", 'export * from "./src/index.js";\n');
writeFileSync("dist/node.d.ts", 'export * from "./src/node.js";\n');
writeFileSync("dist/mock.d.ts", 'export * from "./mock/index.js";\n');
writeFileSync("dist/msw.d.ts", 'export * from "./mock/msw.js";\n');

/** The browser entry point and every chunk it loads import no `node:` module. */
function assertBrowserSafe(metafile, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.path.startsWith("node:")) throw new Error(`${entry} reaches ${imported.path} through ${file}: src/ must stay browser-safe`);
      if (!imported.external && imported.kind !== "dynamic-import") visit(imported.path);
    }
  };
  visit(entry);
}
