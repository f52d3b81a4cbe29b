// `npm run test:package`: the package as a user installs it. Packs the tarball (the build runs as
// `prepack`), checks it with publint and arethetypeswrong (every entry, every resolution mode: zero
// problems), then installs it into the consumer projects of consumers/ in a temporary folder, each
// with its own pinned TypeScript, and in each type-checks the samples (samples/) and runs them
// against the mock started from the installed package.
//
// Installs share npm's cache and prefer it to the registry. KIRIN_PACKAGE_TEST_KEEP=1 keeps the
// temporary folder (it is kept anyway when something failed).
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENTRIES, packageFieldDrift } from "../../scripts/entries.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HERE = join(ROOT, "test/package");
const BIN = join(ROOT, "node_modules/.bin");
const started = performance.now();
const results = [];

/** Each consumer: what it installs comes from its package.json template; what it checks, here. */
const CONSUMERS = {
  bundler: { samples: ["requests", "client", "bundled"], check: checkBundler },
  esm: { samples: ["requests", "main", "msw"], check: checkEsm },
  cjs: { samples: ["requests", "main"], check: checkCommonJs },
  "ts-min": { samples: ["requests", "main", "msw"], check: checkOldestTypeScript },
};

const work = mkdtempSync(join(tmpdir(), "kirin-package-test-"));
try {
  await step("package.json agrees with scripts/entries.mjs", async () => {
    const drift = packageFieldDrift(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")));
    if (drift.length > 0) throw new Error(`differs in ${drift.join(", ")}: run node scripts/entries.mjs --write`);
  });
  const tarball = await step("npm pack", () => pack(join(work, "tarball")));
  await Promise.all([step("publint", () => publint(tarball)), step("arethetypeswrong", () => attw(tarball))]);
  // Two at a time: a consumer's install waits on the network and its tsc on a core.
  await pool(Object.entries(CONSUMERS), 2, ([name, consumer]) => runConsumer(name, consumer, tarball));
} finally {
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\ntest:package took ${seconds(performance.now() - started)} s`);
  if (failed > 0 || process.env.KIRIN_PACKAGE_TEST_KEEP) console.log(`consumers kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

/** Packs the project into `folder`; the tarball's path. */
async function pack(folder) {
  mkdirSync(folder, { recursive: true });
  await run("npm", ["pack", "--pack-destination", folder, "--silent"], { cwd: ROOT });
  const [file] = readdirSync(folder).filter((f) => f.endsWith(".tgz"));
  if (!file) throw new Error("npm pack wrote no tarball");
  return join(folder, file);
}

/** publint over the tarball, at its strictest: any message, a suggestion too, fails. */
async function publint(tarball) {
  const { publint: lint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  // The tarball's files exactly, unpacked as an install would (nothing to pack again).
  const unpacked = join(work, "unpacked");
  mkdirSync(unpacked);
  await run("tar", ["-xzf", tarball, "-C", unpacked], { cwd: work });
  const { messages, pkg } = await lint({ pkgDir: join(unpacked, "package"), pack: false, level: "suggestion", strict: true });
  const lines = messages.map((m) => `  ${m.type}: ${formatMessage(m, pkg, { color: false })}`);
  console.log(`publint: ${messages.length} messages${lines.length ? `\n${lines.join("\n")}` : " (suggestions, warnings and errors)"}`);
  if (messages.length > 0) throw new Error(`publint reported ${messages.length} problems`);
}

/**
 * arethetypeswrong over the tarball, strict profile (node10, node16 from CJS and from ESM,
 * bundler), no rule ignored; run outside the project so that no .attw.json can soften it. Every
 * entry of scripts/entries.mjs must be among those it checked.
 */
async function attw(tarball) {
  const args = [tarball, "--profile", "strict", "--no-color", "--no-definitely-typed"];
  const { stdout: json } = await run(join(BIN, "attw"), [...args, "--format", "json"], { cwd: work, allowFailure: true });
  const { stdout: table } = await run(join(BIN, "attw"), [...args, "--format", "table"], { cwd: work, allowFailure: true });
  console.log(`arethetypeswrong:\n${table.trim()}`);
  const { analysis } = JSON.parse(json);
  const checked = Object.keys(analysis.entrypoints);
  const missing = ENTRIES.map((e) => e.subpath).filter((subpath) => !checked.includes(subpath));
  if (missing.length > 0) throw new Error(`arethetypeswrong did not check ${missing.join(", ")}`);
  if (analysis.problems.length > 0) throw new Error(`arethetypeswrong found ${analysis.problems.length} problems`);
}

/** A fresh copy of consumers/NAME with the tarball and its samples, installed, then checked. */
async function runConsumer(name, consumer, tarball) {
  const dir = join(work, name);
  cpSync(join(HERE, "consumers", name), dir, { recursive: true });
  mkdirSync(join(dir, "src"));
  for (const sample of consumer.samples) cpSync(join(HERE, "samples", `${sample}.ts`), join(dir, "src", `${sample}.ts`));
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  manifest.dependencies = { "kirin-api": `file:${tarball}` };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const installed = await step(`${name}: npm install`, () =>
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], { cwd: dir }),
  );
  if (installed !== undefined) await consumer.check(dir, name);
}

/** Bundler resolution: type-check, bundle for the browser (no Node module may come in), bundle for Node and run. */
async function checkBundler(dir, name) {
  await step(`${name}: tsc (bundler, TypeScript ${tsVersion(dir)})`, () => typecheck(dir));
  const esbuild = join(dir, "node_modules/.bin/esbuild");
  await step(`${name}: esbuild for the browser`, () =>
    run(esbuild, ["src/client.ts", "--bundle", "--platform=browser", "--format=esm", "--outfile=out/browser.js", "--log-level=warning"], {
      cwd: dir,
    }),
  );
  await step(`${name}: esbuild for Node, run against \`kirin mock\``, async () => {
    await run(
      esbuild,
      ["src/bundled.ts", "--bundle", "--platform=node", "--format=esm", "--outfile=out/bundled.mjs", "--log-level=warning"],
      { cwd: dir },
    );
    await withCliMock(dir, (url) => runSample(dir, "out/bundled.mjs", "ok bundle:", { KIRIN_BASE_URL: url }));
  });
  await step(`${name}: \`kirin mock\` from the package serves its contract, and says the pages are not shipped`, () =>
    withCliMock(dir, async (url, banner) => {
      if (banner.includes("/docs")) throw new Error(`the banner offers pages the package does not ship:\n${banner}`);
      const home = await fetch(url, { redirect: "manual" });
      if (home.headers.get("location") !== "/openapi.json") throw new Error(`/ sends to ${home.headers.get("location")}`);
      const { openapi, servers } = await (await fetch(`${url}/openapi.json`)).json();
      if (openapi !== "3.1.0" || !servers.some((s) => s.url === url))
        throw new Error(`/openapi.json: ${openapi} ${JSON.stringify(servers)}`);
      const docs = await fetch(`${url}/docs`);
      const text = await docs.text();
      if (docs.status !== 404 || !text.includes("/openapi.json") || text.includes("npm run"))
        throw new Error(`/docs: ${docs.status} ${text}`);
      return "ok /openapi.json, and /docs says why it is missing";
    }),
  );
}

/** ES modules under nodenext: compile, run the Node sample and the MSW sample. */
async function checkEsm(dir, name) {
  await step(`${name}: tsc (nodenext ESM, TypeScript ${tsVersion(dir)})`, () => typecheck(dir));
  await step(`${name}: run (import, kirin-api/mock)`, () => runSample(dir, "out/main.js", "ok esm:"));
  await step(`${name}: run (kirin-api/msw on msw/node)`, () => runSample(dir, "out/msw.js", "ok msw:"));
}

/** CommonJS: compile to require() calls, run; and type-check under node10 resolution. */
async function checkCommonJs(dir, name) {
  await step(`${name}: tsc (nodenext, type commonjs, TypeScript ${tsVersion(dir)})`, async () => {
    await typecheck(dir);
    const out = readFileSync(join(dir, "out/main.js"), "utf8");
    if (!out.includes('require("kirin-api")')) throw new Error("the compiled sample does not require() kirin-api");
  });
  await step(`${name}: tsc (node10 resolution, module commonjs)`, () => typecheck(dir, ["-p", "tsconfig.node10.json"]));
  await step(`${name}: run (require, kirin-api/mock)`, () => runSample(dir, "out/main.js", "ok commonjs:"));
}

/** The oldest supported TypeScript compiles and runs the samples; the release before gets the stub. */
async function checkOldestTypeScript(dir, name) {
  await step(`${name}: tsc (nodenext ESM, TypeScript ${tsVersion(dir)})`, () => typecheck(dir));
  await step(`${name}: tsc kirin-api/msw (TypeScript ${tsVersion(dir)})`, () => typecheck(dir, ["-p", "tsconfig.msw.json"]));
  await step(`${name}: run`, () => runSample(dir, "out/main.js", "ok esm:"));
  const older = tsVersion(dir, "typescript-before-min");
  await step(`${name}: TypeScript ${older} gets the too-old stub`, async () => {
    const tsc = join(dir, "node_modules/typescript-before-min/bin/tsc");
    const { stdout } = await run(process.execPath, [tsc, "-p", ".", "--noEmit"], { cwd: dir, allowFailure: true });
    // The stub exports nothing: each import from the package is "no exported member" (TS2305), the
    // `@ts-expect-error` lines have no error left to expect (TS2578), and nothing else - no error
    // from inside node_modules, as 5.3 gave from openapi-fetch's declarations before the stub.
    const errors = stdout.split("\n").filter((line) => /error TS\d+/.test(line));
    const expected = (line) => /error TS2305: Module '"kirin-api[^']*"' has no exported member/.test(line) || /error TS2578/.test(line);
    if (!errors.some((line) => line.includes("TS2305")) || !errors.every(expected)) {
      throw new Error(`expected only "has no exported member" errors from kirin-api:\n${stdout}`);
    }
  });
}

/** The consumer's tsc over its tsconfig.json (plus `args`); any output is a failure. */
async function typecheck(dir, args = []) {
  const { stdout, stderr } = await run(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-p", ".", ...args], { cwd: dir });
  if (`${stdout}${stderr}`.trim()) throw new Error(`${stdout}${stderr}`);
}

/** Runs a compiled sample with Node; it must print `expected`. */
async function runSample(dir, file, expected, env = {}) {
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env, timeoutMs: 60_000 });
  if (!stdout.includes(expected)) throw new Error(`expected "${expected}" in:\n${stdout}`);
  return stdout.trim();
}

/** The installed package's `kirin mock` on 127.0.0.1 and a free port, for the length of `use`. */
async function withCliMock(dir, use) {
  const child = spawn(join(dir, "node_modules/.bin/kirin"), ["mock", "--host", "127.0.0.1", "--port", "0", "--task-seconds", "0.5"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let seen = "";
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kirin mock did not start:\n${seen}`)), 20_000);
      child.stdout.on("data", (chunk) => {
        seen += chunk;
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        // The banner comes in one write: all of it is in `seen` once the address is.
        if (match) resolve(match[1]), clearTimeout(timer);
      });
      child.stderr.on("data", (chunk) => (seen += chunk));
      child.once("exit", (code) => reject(new Error(`kirin mock exited with ${code}:\n${seen}`)));
    });
    return await use(url, seen);
  } finally {
    const exited = new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve()));
    child.kill("SIGTERM");
    await exited;
  }
}

/** The version of the TypeScript a consumer installed under `name`. */
function tsVersion(dir, name = "typescript") {
  return JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;
}

/** Runs `fn` as one named check: prints ok or FAIL with its time; its value, or undefined on failure. */
async function step(name, fn) {
  const start = performance.now();
  try {
    const value = await fn();
    const note = typeof value === "string" && value.startsWith("ok") ? ` - ${value}` : "";
    console.log(`ok   ${name} (${seconds(performance.now() - start)} s)${note}`);
    results.push({ name, ok: true });
    return value ?? true;
  } catch (error) {
    console.log(
      `FAIL ${name} (${seconds(performance.now() - start)} s)\n${indent(error instanceof Error ? error.message : String(error))}`,
    );
    results.push({ name, ok: false });
    return undefined;
  }
}

/** A child process's output; rejects on a non-zero exit unless `allowFailure`, and after `timeoutMs`. */
function run(command, args, { cwd, env = {}, allowFailure = false, timeoutMs = 300_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || allowFailure) resolve({ stdout, stderr, code });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}\n${stdout}${stderr}`));
    });
  });
}

/** Runs `task` over `items`, at most `limit` at once. */
async function pool(items, limit, task) {
  const queue = [...items];
  const worker = async () => {
    while (queue.length > 0) await task(queue.shift());
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function seconds(ms) {
  return (ms / 1000).toFixed(1);
}

function indent(text) {
  return text
    .trim()
    .split("\n")
    .map((line) => `     ${line}`)
    .join("\n");
}
