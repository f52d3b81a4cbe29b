// The package's entry points: ONE list that the build (scripts/build.mjs), package.json's `main`,
// `types`, `exports` and `typesVersions`, and the package test (test/package/) all follow.
//
// Adding an entry: one line in ENTRIES, then `node scripts/entries.mjs --write` rewrites those
// package.json fields from this list (the build refuses to run while they disagree, and so does
// `npm test`).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `subpath`: the import specifier's tail (`kirin-api/node` is `./node`). `name`: the file name in
 * dist/ (`dist/node.js`, `.cjs`, `.d.ts`, `.d.cts`). `source`: the module the build starts from.
 * `browser`: its ESM and CommonJS builds must reach no `node:` module.
 */
export const ENTRIES = [
  { subpath: ".", name: "index", source: "src/index.ts", browser: true },
  { subpath: "./client", name: "client", source: "src/client-entry.ts", browser: true },
  { subpath: "./node", name: "node", source: "src/node.ts", browser: false },
  { subpath: "./mock", name: "mock", source: "mock/index.ts", browser: false },
  { subpath: "./msw", name: "msw", source: "mock/msw.ts", browser: true },
];

/**
 * The oldest TypeScript the published declarations type-check with (`skipLibCheck: false`): 5.4,
 * because openapi-fetch's declarations fail on 5.0-5.3 (and ours use `export type *`, 5.0). Older
 * compilers get TOO_OLD_TYPES instead of a page of errors from inside node_modules. The package
 * test proves both sides: a consumer on this version compiles and runs, one on the version before
 * gets the stub.
 */
export const MIN_TYPESCRIPT = "5.4";
export const TOO_OLD_TYPES = "./dist/typescript-too-old.d.cts";

/** The package.json fields ENTRIES decide, in the order they are written. */
export function packageFields(entries = ENTRIES) {
  const root = entries.find((e) => e.subpath === ".");
  const exports = {};
  for (const { subpath, name } of entries) {
    exports[subpath] = {
      // First, so that an older compiler stops here (conditions match in order).
      [`types@<${MIN_TYPESCRIPT}`]: TOO_OLD_TYPES,
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    };
  }
  exports["./package.json"] = "./package.json";
  // `moduleResolution: node10` reads no `exports`: `main`/`types` serve the root, typesVersions
  // the subpaths (and sends compilers older than MIN_TYPESCRIPT to the stub there too).
  const subpaths = Object.fromEntries(
    entries.filter((e) => e.subpath !== ".").map(({ subpath, name }) => [subpath.slice(2), [`./dist/${name}.d.cts`]]),
  );
  return {
    main: `./dist/${root.name}.cjs`,
    types: `./dist/${root.name}.d.cts`,
    exports,
    typesVersions: { [`<${MIN_TYPESCRIPT}`]: { "*": [TOO_OLD_TYPES] }, "*": subpaths },
  };
}

/** The fields of package.json that differ from what ENTRIES say (empty when they agree). */
export function packageFieldDrift(pkg, entries = ENTRIES) {
  const want = packageFields(entries);
  return Object.keys(want).filter((key) => JSON.stringify(pkg[key]) !== JSON.stringify(want[key]));
}

/** package.json with the fields ENTRIES decide rewritten, every other field kept in its place. */
export function withPackageFields(pkg, entries = ENTRIES) {
  const want = packageFields(entries);
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    // Insert the entry fields where `exports` stood (or stands now), the rest as they were.
    if (key === "exports") Object.assign(out, want);
    else if (!(key in want)) out[key] = value;
  }
  return { ...out, ...Object.fromEntries(Object.entries(want).filter(([key]) => !(key in out))) };
}

// `node scripts/entries.mjs --write`: bring package.json in line with ENTRIES.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = new URL("../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const drift = packageFieldDrift(pkg);
  if (drift.length === 0) console.log("package.json agrees with scripts/entries.mjs");
  else if (process.argv.includes("--write")) {
    writeFileSync(file, `${JSON.stringify(withPackageFields(pkg), null, 2)}\n`);
    console.log(`package.json: rewrote ${drift.join(", ")}`);
  } else {
    console.error(`package.json differs from scripts/entries.mjs in ${drift.join(", ")}; run: node scripts/entries.mjs --write`);
    process.exitCode = 1;
  }
}
