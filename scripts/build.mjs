// `npm run build`: dist/index.js is one ESM bundle of src/ and the generated validators, with
// openapi-fetch left as a dependency; its types are tsc's declarations of src/ (dist/src/) next to
// copies of the generated declarations they import (dist/generated/), so every import in them resolves.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  external: ["openapi-fetch"],
  sourcemap: true,
  logLevel: "warning",
};
// The browser-safe entry point.
await build({
  ...common,
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  platform: "neutral", // the runtime must not lean on Node built-ins
});
// The Node-only adapter (`toNodeListener`), kept out of the entry point above.
await build({ ...common, entryPoints: ["src/node.ts"], outfile: "dist/node.js", platform: "node" });

// The mock for Node (`kirin-api/mock`: startMockServer, the CLI's runMockCli) and as MSW handlers
// (`kirin-api/msw`, msw left to the user's own copy: an optional peer dependency).
await build({ ...common, entryPoints: ["mock/index.ts"], outfile: "dist/mock.js", platform: "node" });
await build({ ...common, entryPoints: ["mock/msw.ts"], outfile: "dist/msw.js", platform: "neutral", external: [...common.external, "msw"] });

execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.mock-build.json"], { stdio: "inherit" });
copyFileSync("mock/scenario-list.d.mts", "dist/mock/scenario-list.d.mts");
mkdirSync("dist/generated", { recursive: true });
for (const file of ["schema.d.ts", "validators.d.ts", "mock-scenarios.d.ts"]) copyFileSync(`generated/${file}`, `dist/generated/${file}`);
writeFileSync("dist/index.d.ts", 'export * from "./src/index.js";\n');
writeFileSync("dist/node.d.ts", 'export * from "./src/node.js";\n');
writeFileSync("dist/mock.d.ts", 'export * from "./mock/index.js";\n');
writeFileSync("dist/msw.d.ts", 'export * from "./mock/msw.js";\n');
