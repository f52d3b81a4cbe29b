// The playground's script as a browser downloads it: the same esbuild build `npm start` runs
// (minified), gzip -9, against the goal of 30 kB including the runtime. The runtime's own
// share is the whole of src/index.ts bundled alone; the rest is the page's code.
import { readFileSync } from "node:fs";
import { buildPlayground } from "../../docs/playground/build.mjs";
import { bundleSize, gzipSize as gzip } from "./bundle-size.js";

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

const started = performance.now();
const bundle = await buildPlayground({ write: false });
const took = performance.now() - started;
const runtime = await bundleSize(`export * from "./src/index.ts";`);

console.log("playground bundle (docs/playground/playground.js: esbuild, minified, gzip -9)");
console.log(
  `  whole page script            ${kB(bundle.length).padStart(9)} min  ${kB(gzip(bundle)).padStart(8)} gzip  (built in ${took.toFixed(0)} ms)`,
);
console.log(
  `  runtime alone (src/index.ts) ${kB(runtime.raw).padStart(9)} min  ${kB(runtime.gzip).padStart(8)} gzip  (every export; the page tree-shakes some)`,
);
const html = readFileSync("docs/playground/index.html");
console.log(`  page HTML with inline CSS    ${kB(html.length).padStart(9)} raw  ${kB(gzip(html)).padStart(8)} gzip`);
console.log(`  goal < 30 kB gzip: ${gzip(bundle) < 30_000 ? "MET" : "MISSED"} (${kB(gzip(bundle))})`);
