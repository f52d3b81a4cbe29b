// `npm run build`: every entry of scripts/entries.mjs twice - as ES modules (dist/NAME.js, with
// the `kirin` command, dist/cli.js) and as CommonJS (dist/NAME.cjs) - and their declarations
// (dist/NAME.d.ts for import, dist/NAME.d.cts for require).
//
// Each format is one build with shared chunks: an error class thrown by `kirin-api/node` is the one
// `kirin-api` exports, so `instanceof` holds across entries. (Across formats it cannot: a program
// that both imports and requires the package loads two copies - the README says to use one.)
// Dependencies stay imports, except the ESM-only p-limit in the CommonJS build (see COMMONJS_INLINED).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { ENTRIES, MIN_TYPESCRIPT, packageFieldDrift, TOO_OLD_TYPES } from "./entries.mjs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
/**
 * ESM-only dependencies copied into the CommonJS build: `require()` of an ES module works in Node
 * 20.19+, but not in Jest's module loader or in bundlers' CommonJS paths. p-limit is small and only
 * counts; a second copy of it holds no state a caller could see.
 */
const COMMONJS_INLINED = ["p-limit", "yocto-queue"];
const STAGING = "dist/.commonjs-staging";
const MODULE_URL = "__kirinModuleUrl";
/** Relative specifiers of a declaration file: `from "./x.js"`, `import("../x.mjs")`. */
const RELATIVE_SPECIFIER = /((?:from|import\()\s*["'])(\.{1,2}\/[^"']*?)\.(m?)js(["'])/g;

const drift = packageFieldDrift(pkg);
if (drift.length > 0) {
  throw new Error(`package.json differs from scripts/entries.mjs in ${drift.join(", ")}: run \`node scripts/entries.mjs --write\``);
}
rmSync("dist", { recursive: true, force: true });
await buildModules();
await buildCommonJs();
writeDeclarations();

/** The ES module build: the browser and Node entries, the mock, and the `kirin` command. */
async function buildModules() {
  const result = await build({
    ...shared(),
    entryPoints: { ...entryPoints(), cli: "cli/main.ts" },
    outdir: "dist",
    packages: "external",
    sourcemap: true,
  });
  for (const entry of ENTRIES.filter((e) => e.browser)) assertBrowserSafe(result.metafile, `dist/${entry.name}.js`);
}

/**
 * The CommonJS build. esbuild splits chunks only for ES modules, so this bundles as ES modules
 * with `.cjs` names (imports between chunks already name `.cjs` files) into a staging folder, then
 * turns each file into CommonJS as it is: one module per chunk again, shared through `require`'s
 * cache exactly as the ES module chunks are shared.
 */
async function buildCommonJs() {
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter(
    (name) => !COMMONJS_INLINED.includes(name),
  );
  const staged = await build({
    ...shared(),
    entryPoints: entryPoints(),
    outdir: STAGING,
    outExtension: { ".js": ".cjs" },
    external: ["node:*", ...external, ...external.map((name) => `${name}/*`)],
    // `import.meta.url` has no CommonJS form: MODULE_URL defines the name in each file that reads it.
    define: { "import.meta.url": MODULE_URL },
    sourcemap: true,
  });
  for (const entry of ENTRIES.filter((e) => e.browser)) assertBrowserSafe(staged.metafile, `${STAGING}/${entry.name}.cjs`);
  for (const name of COMMONJS_INLINED) {
    if (!Object.keys(staged.metafile.inputs).some((input) => input.includes(`node_modules/${name}/`))) {
      throw new Error(`${name} is listed in COMMONJS_INLINED but no longer used: drop it from the list`);
    }
  }
  await build({
    entryPoints: Object.keys(staged.metafile.outputs).filter((file) => file.endsWith(".cjs")),
    outbase: STAGING,
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    // `node` adds the export-names annotation that lets Node's `import` of a .cjs see named exports.
    platform: "node",
    target: "es2022",
    sourcemap: true,
    logLevel: "warning",
    plugins: [defineModuleUrl()],
  });
  rmSync(STAGING, { recursive: true, force: true });
  // Their MIT licences travel with the copies.
  const notices = COMMONJS_INLINED.map((name) => {
    const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
    return `${name}@${version} (copied into dist/*.cjs and dist/chunks/*.cjs)\n\n${readFileSync(`node_modules/${name}/license`, "utf8").trim()}\n`;
  });
  writeFileSync("dist/THIRD-PARTY-LICENSES.txt", notices.join("\n---\n\n"));
}

/**
 * Defines MODULE_URL (the file's own URL, what `import.meta.url` is in an ES module) at the top of
 * each staged file that reads it, and only there: the browser-safe files never reach `node:url`.
 * It goes on the first line, before what was there, so the source map's lines stay as they were.
 */
function defineModuleUrl() {
  return {
    name: "define-module-url",
    setup(build) {
      build.onLoad({ filter: /\.cjs$/ }, ({ path }) => {
        const text = readFileSync(path, "utf8");
        if (!text.includes(MODULE_URL)) return undefined;
        return { contents: `var ${MODULE_URL} = require("node:url").pathToFileURL(__filename).href; ${text}`, loader: "js" };
      });
    },
  };
}

/**
 * tsc's declarations of src/ and mock/ (dist/src/, dist/mock/) next to copies of the generated
 * declarations they import (dist/generated/), each entry's own pair, and a CommonJS twin (`.d.cts`)
 * of every declaration an entry reaches. Declarations no entry reaches are not shipped (the mock's
 * sample videos alone are 72 kB of string literal types).
 */
function writeDeclarations() {
  const tsc = (project) => execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });
  tsc("tsconfig.build.json");
  tsc("tsconfig.mock-build.json");
  copyFileSync("mock/scenario-list.d.mts", "dist/mock/scenario-list.d.mts");
  mkdirSync("dist/generated", { recursive: true });
  for (const file of ["schema.d.ts", "json-schemas.d.ts", "mock-scenarios.d.ts"])
    copyFileSync(`generated/${file}`, `dist/generated/${file}`);
  for (const { name, source } of ENTRIES) writeFileSync(`dist/${name}.d.ts`, `export * from "./${source.replace(/\.ts$/, "")}.js";\n`);
  const reached = reachableDeclarations(ENTRIES.map(({ name }) => `dist/${name}.d.ts`));
  for (const file of readdirSync("dist", { recursive: true })) {
    const path = join("dist", file);
    if (/\.d\.m?ts$/.test(path) && !reached.has(path)) rmSync(path);
  }
  for (const file of reached) writeFileSync(file.replace(/\.d\.m?ts$/, ".d.cts"), commonJsTwin(readFileSync(file, "utf8")));
  writeFileSync(
    TOO_OLD_TYPES,
    `/**\n * kirin-api's types need TypeScript ${MIN_TYPESCRIPT} or newer, and this compiler is older: its\n` +
      ` * exports resolve to this empty module. Upgrade: npm install --save-dev typescript@5\n */\nexport {};\n`,
  );
}

/** Every declaration file the given ones import, directly or not (themselves included). */
function reachableDeclarations(starts) {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    if (!existsSync(file)) throw new Error(`a declaration imports ${file}, which was not emitted`);
    reached.add(file);
    for (const [, , specifier, m] of readFileSync(file, "utf8").matchAll(RELATIVE_SPECIFIER)) {
      visit(join(dirname(file), `${specifier}.d.${m}ts`));
    }
  };
  for (const start of starts) visit(start);
  return reached;
}

/** A declaration file as CommonJS sees it: its relative imports name `.cjs` files (`.d.cts` types). */
function commonJsTwin(text) {
  return text.replace(RELATIVE_SPECIFIER, "$1$2.cjs$4");
}

/** What both builds share: every entry bundled from source, chunks for what entries share. */
function shared() {
  return {
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2022",
    // Neutral: nothing may lean on Node built-ins unnoticed; the Node modules name theirs (`node:`).
    platform: "neutral",
    external: ["node:*"],
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "warning",
  };
}

function entryPoints() {
  return Object.fromEntries(ENTRIES.map(({ name, source }) => [name, source]));
}

/** A browser entry point and every chunk it loads import no `node:` module. */
function assertBrowserSafe(metafile, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.path.startsWith("node:"))
        throw new Error(`${entry} reaches ${imported.path} through ${file}: it must stay browser-safe`);
      if (!imported.external && imported.kind !== "dynamic-import") visit(imported.path);
    }
  };
  if (!metafile.outputs[entry]) throw new Error(`${entry} was not built`);
  visit(entry);
}
