// `npm run build`: dist/index.js is one ESM bundle of src/ and the generated validators, with
// openapi-fetch left as a dependency; its types are tsc's declarations of src/ (dist/src/) next to
// copies of the generated declarations they import (dist/generated/), so every import in them resolves.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  format: "esm",
  platform: "neutral", // the runtime must not lean on Node built-ins
  target: "es2022",
  external: ["openapi-fetch"],
  sourcemap: true,
  logLevel: "warning",
});
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
mkdirSync("dist/generated", { recursive: true });
for (const file of ["schema.d.ts", "validators.d.ts"]) copyFileSync(`generated/${file}`, `dist/generated/${file}`);
writeFileSync("dist/index.d.ts", 'export * from "./src/index.js";\n');
