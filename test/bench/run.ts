// `npm run bench`: runs every test/bench/*.bench.ts in its own process, one after another, and
// lets each print its own figures.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const files = readdirSync("test/bench")
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const run = spawnSync("npx", ["tsx", `test/bench/${file}`], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
