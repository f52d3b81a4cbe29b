// The guides cannot rot: docs/rules.md is what docs/rules.ts renders from the contract now, every
// rule example keeps or breaks its rule, every TypeScript sample type-checks against the library,
// every sample marked `ts run` runs against the mock, and every link between the README and the
// guides leads to a file, in this repository and in the installed package alike.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examples, materialise, renderRules, rulesOf } from "../../docs/rules.js";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { validateRequest } from "../../src/index.js";

const run = promisify(execFile);
const ROOT = process.cwd();
const SAMPLES = join(ROOT, "node_modules/.cache/kirin-doc-samples");

interface Sample {
  name: string;
  file: string;
  runs: boolean;
}

/** Every ```ts block of docs/*.md, written out with "kirin-api" imports pointing at src/. */
function extractSamples(): Sample[] {
  rmSync(SAMPLES, { recursive: true, force: true });
  mkdirSync(SAMPLES, { recursive: true });
  const toSrc = (module: string) => relative(SAMPLES, join(ROOT, "src", `${module}.js`)).replaceAll("\\", "/");
  const toMock = (module: string) => relative(SAMPLES, join(ROOT, "mock", `${module}.js`)).replaceAll("\\", "/");
  const samples: Sample[] = [];
  for (const page of readdirSync("docs").filter((f) => f.endsWith(".md"))) {
    const blocks = readFileSync(join("docs", page), "utf8").matchAll(/^```ts( run)?\n([\s\S]*?)^```$/gm);
    let n = 0;
    for (const [, runs, code] of blocks) {
      const name = `${page.replace(/\.md$/, "")}-${++n}`;
      const file = join(SAMPLES, `${name}.mts`);
      const source = code!
        // The mock's default address in a sample (pasteable as it is) is the test's mock.
        .replaceAll('"http://127.0.0.1:4010"', "process.env.KIRIN_BASE_URL!")
        .replaceAll('from "kirin-api/msw"', `from "${toMock("msw")}"`)
        .replaceAll('from "kirin-api/mock"', `from "${toMock("index")}"`)
        .replaceAll('from "kirin-api/node"', `from "${toSrc("node")}"`)
        .replaceAll('from "kirin-api/client"', `from "${toSrc("client-entry")}"`)
        .replaceAll('from "kirin-api"', `from "${toSrc("index")}"`);
      // `export {}` makes every sample a module, so top-level await and names stay local.
      writeFileSync(file, `${source}\nexport {};\n`);
      samples.push({ name, file, runs: runs !== undefined });
    }
  }
  return samples;
}

const samples = extractSamples();
let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.3, log: () => {} });
});
afterAll(() => mock?.close());

describe("docs/rules.md", () => {
  it("is what the contract, the examples and validateRequest say now (run `npm run docs`)", () => {
    expect(readFileSync("docs/rules.md", "utf8")).toBe(renderRules());
  });

  const ids = [...new Set([...rulesOf("kirin_v3_i2v"), ...rulesOf("kirin_v3_omni_video")].map((r) => r.id))];
  it("has an example pair for every rule and none for a rule that does not exist", () => {
    expect(Object.keys(examples).sort()).toEqual(ids.sort());
  });

  it.each(ids)("%s: the valid example keeps every rule, the invalid one breaks it", (id) => {
    const valid = validateRequest(materialise(examples[id]!.valid));
    expect(valid.issues).toEqual([]);
    const invalid = validateRequest(materialise(examples[id]!.invalid));
    expect(invalid.issues.map((i) => i.rule)).toContain(id);
  });
});

describe("guide samples", () => {
  it("were found, and some run", () => {
    expect(samples.length).toBeGreaterThanOrEqual(8);
    expect(samples.filter((s) => s.runs).length).toBeGreaterThanOrEqual(6);
  });

  it("type-check against the library", async () => {
    const config = join(SAMPLES, "tsconfig.json");
    writeFileSync(config, JSON.stringify({ extends: join(ROOT, "tsconfig.json"), compilerOptions: { noEmit: true }, include: ["*.mts"] }));
    const result = await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", config]).catch((e) => e);
    expect(`${result.stdout ?? ""}${result.stderr ?? ""}`).toBe("");
  }, 120_000);

  it.each(samples.filter((s) => s.runs).map((s) => [s.name, s] as const))(
    "%s runs against the mock",
    async (_name, sample) => {
      const { stdout } = await run(process.execPath, ["--import", "tsx", sample.file], {
        env: { ...process.env, KIRIN_BASE_URL: mock.url, KIRIN_API_KEY: "guide-test-key" },
        timeout: 60_000,
      });
      expect(stdout.length).toBeGreaterThan(0);
    },
    90_000,
  );
});

describe("docs/browser.md", () => {
  // The recipes are shown as the files the suite runs: a change to either shows here.
  it.each(["test/recipes/vite-mocks.ts", "test/recipes/vitest-recipe.test.ts"])("shows %s line for line", (file) => {
    const blocks = [...readFileSync("docs/browser.md", "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    expect(blocks).toContain(readFileSync(file, "utf8"));
  });
});

describe("docs/testing.md", () => {
  // Every recipe is shown as the file the suite runs.
  it.each(["test/recipes/fake-client.test.ts", "test/recipes/fake-fetch.test.ts", "test/recipes/mock-status.test.ts"])(
    "shows %s line for line",
    (file) => {
      const blocks = [...readFileSync("docs/testing.md", "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
      expect(blocks).toContain(readFileSync(file, "utf8"));
    },
  );
});

describe("docs/mock.md", () => {
  it("lists every scenario of the contract", async () => {
    const { SCENARIOS } = await import("../../mock/core/scenarios.js");
    const page = readFileSync("docs/mock.md", "utf8");
    for (const { name } of SCENARIOS) expect(page, name).toContain(`| \`${name}\` |`);
  });
});

describe("links in the README and the guides", () => {
  const pages = [
    "README.md",
    ...readdirSync("docs")
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  /** Relative link targets of a Markdown page, as paths from the repository root, anchors dropped. */
  const targets = (page: string) =>
    [...readFileSync(page, "utf8").matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!.split("#")[0]!)
      .filter((target) => target !== "" && !/^[a-z]+:/i.test(target))
      .map((target) => normalize(join(dirname(page), target)));

  it.each(pages)("%s links only to files that exist", (page) => {
    for (const target of targets(page)) expect(existsSync(target), `${page} -> ${target}`).toBe(true);
  });

  it("lead only to files the package ships, so they work in node_modules/kirin-api too", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]);
    const shipped = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const page of pages.filter((p) => shipped.has(p))) {
      for (const target of targets(page)) expect(shipped.has(target), `${page} -> ${target}`).toBe(true);
    }
    expect(shipped.has("README.md") && shipped.has("docs/README.md") && shipped.has("LICENSE")).toBe(true);
  }, 60_000);
});

describe("docs/other-generators.md", () => {
  const page = readFileSync("docs/other-generators.md", "utf8");

  it("names each generator of test/generators with the version the suite runs", async () => {
    const { GENERATORS } = await import("../generators/expectations.js");
    const { description } = JSON.parse(readFileSync("generated/openapi.json", "utf8")).info;
    for (const { package: name, version } of GENERATORS) {
      expect(page).toContain(`| ${name} | ${version} |`);
      expect(description.replace(/\s+/g, " "), "the contract's info.description").toContain(`${name} ${version}`);
    }
  });

  it("shows the table of what each zod schema keeps that test/generators asserts", async () => {
    const { GENERATORS, PROBES } = await import("../generators/expectations.js");
    const withSchema = GENERATORS.filter((g) => g.verdicts);
    const rows = Object.keys(PROBES).map(
      (name) => `| ${name} | ${withSchema.map((g) => (g.verdicts![name] === "rejects" ? "kept" : "**lost**")).join(" | ")} |`,
    );
    const table = page
      .slice(page.indexOf("| a body with |"))
      .split("\n")
      .slice(2, 2 + rows.length);
    expect(table).toEqual(rows);
  });

  it("lists every cross-field rule of the request schemas as one no generator keeps", () => {
    const crossField = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      if (typeof n["x-kirin-rule"] === "string" && ["if", "anyOf", "contains"].some((k) => k in n)) crossField.add(n["x-kirin-rule"]);
      Object.values(n).forEach(walk);
    };
    const { schemas } = JSON.parse(readFileSync("generated/openapi.json", "utf8")).components;
    walk([schemas.KirinV3I2VParams, schemas.KirinV3OmniVideoParams, schemas.MultiShotRules]);
    const section = page.slice(page.indexOf("## What none of them can express"), page.indexOf("- **The rules no schema states**"));
    const listed = [...section.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((m) => m[1]!).filter((id) => !id.startsWith("x-kirin-"));
    expect(crossField.size).toBeGreaterThanOrEqual(11);
    expect([...new Set(listed)].sort()).toEqual([...crossField].sort());
  });
});
