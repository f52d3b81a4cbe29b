// Other generators on the contract. Each pinned generator runs on generated/openapi.json into a
// temporary folder; the project's tsc (5.9) compiles the output together with a type check per
// generator; vitest imports the output. Then, for every generator:
//   - every named request example of the create operation passes its zod schema (if it makes one);
//   - its types narrow the request on `model` (if it makes types): the `@ts-expect-error` lines of
//     its type check are the rules its types keep, the bodies that compile those they lose;
//   - per probe of ./expectations.ts (bodies that each break one rule), whether its zod schema keeps
//     the rule (rejects the body) or loses it (accepts it). Both are asserted: a rule a generator
//     stops keeping fails the test, and so does one it starts to keep (then update the table in
//     docs/other-generators.md).
// Every probe breaks the contract: `validateWireRequest` rejects each one. What no generator keeps
// are the cross-field rules (`x-kirin-rule` under `if`/`then`, `anyOf` of `required`, `contains`)
// and the rules no schema states (`x-kirin-rules`): those need `validateRequest`.
// Run time: about 6-10 s (the generators run side by side, then one tsc run over all the output).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateWireRequest } from "../../src/validate.js";
import { GENERATORS, PROBES, type Probe } from "./expectations.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const SPEC = join(root, "generated", "openapi.json");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const bundle = JSON.parse(readFileSync(SPEC, "utf8"));
/** The named examples of the create's request body, by name: wire bodies { model, input: [{ params }] }. */
const requestExamples: Record<string, { $ref: string }> =
  bundle.paths["/model/v1/generation"].post.requestBody.content["application/json"].examples;
const examples: Record<string, unknown> = Object.fromEntries(
  Object.entries(requestExamples).map(([name, { $ref }]) => [name, bundle.components.examples[$ref.split("/").pop()!].value]),
);

let dir: string;
/** tsc's diagnostics; each starts with the output folder it is in ("hey-api/..."). */
let diagnostics: string[];
/** tsc's error when it failed without a diagnostic (it did not run). */
let tscFailedSilently: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kirin-generators-"));
  // The output imports zod, @zodios/core and the like: let it find the project's node_modules.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(
    join(dir, "openapi-ts.config.mjs"),
    `export default ${JSON.stringify({
      input: SPEC,
      output: join(dir, "hey-api"),
      // zod 3 (the project pins zod 3.25: openapi-zod-client's output needs zod 3).
      plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk", { name: "zod", compatibilityVersion: 3 }],
    })};\n`,
  );
  writeFileSync(
    // CommonJS: orval 7 reads an ES module config's default export as its options object.
    join(dir, "orval.config.cjs"),
    `module.exports = ${JSON.stringify({
      fetch: { input: { target: SPEC }, output: { target: join(dir, "orval-fetch", "api.ts"), client: "fetch", mode: "single" } },
      // strict: `additionalProperties: false` becomes .strict() (else zod drops unknown fields silently).
      zod: {
        input: { target: SPEC },
        output: { target: join(dir, "orval-zod", "api.ts"), client: "zod", mode: "single", override: { zod: { strict: { body: true } } } },
      },
    })};\n`,
  );
  mkdirSync(join(dir, "openapi-zod-client")); // it writes its file, not the folder
  await Promise.all([
    run(bin("openapi-ts"), ["-f", join(dir, "openapi-ts.config.mjs")], { cwd: dir }),
    run(bin("orval"), ["--config", join(dir, "orval.config.cjs")], { cwd: dir }),
    // --strict-objects: the same reason as orval's strict.
    run(bin("openapi-zod-client"), [SPEC, "-o", join(dir, "openapi-zod-client", "api.ts"), "--strict-objects"], { cwd: dir }),
  ]);
  for (const generator of GENERATORS) {
    if (generator.types) writeFileSync(join(dir, generator.folder, "kirin-type-check.ts"), typeCheck(generator.types));
  }
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        types: [],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: GENERATORS.map((g) => `${g.folder}/**/*.ts`),
    }),
  );
  const tsc = await run(bin("tsc"), ["-p", dir, "--pretty", "false"], { cwd: dir }).catch((error) => error);
  diagnostics = `${tsc.stdout}`.split("\n").filter((line) => line.trim());
  tscFailedSilently = tsc instanceof Error && diagnostics.length === 0 ? `${tsc.message}` : "";
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the probes", () => {
  it("every named request example is valid, and every probe breaks the contract (validateWireRequest)", () => {
    expect(Object.keys(examples).length).toBeGreaterThanOrEqual(8);
    for (const [name, body] of Object.entries(examples)) expect(validateWireRequest(body).issues, name).toEqual([]);
    for (const [name, probe] of Object.entries(PROBES)) {
      const result = validateWireRequest(probe.body);
      expect(result.valid, name).toBe(false);
      expect(
        result.issues.map((i) => i.rule),
        name,
      ).toContain(probe.rule);
    }
  });

  it("the generators are the pinned versions, and tsc is the project's 5.9", async () => {
    const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies;
    for (const generator of GENERATORS) {
      const installed = JSON.parse(readFileSync(join(root, "node_modules", generator.package, "package.json"), "utf8")).version;
      expect(installed, generator.package).toBe(generator.version);
      expect(pinned[generator.package], generator.package).toBe(generator.version);
    }
    expect((await run(bin("tsc"), ["-v"])).stdout).toMatch(/^Version 5\.9\./);
  });

  it("tsc ran, and reported nothing outside the generators' folders", () => {
    expect(tscFailedSilently).toBe("");
    // Lines that start with a space continue the diagnostic above them.
    expect(diagnostics.filter((line) => !/^\s/.test(line) && !GENERATORS.some((g) => line.startsWith(`${g.folder}/`)))).toEqual([]);
  });
});

for (const generator of GENERATORS)
  describe(`${generator.name} ${generator.version}`, () => {
    const { types, schema, verdicts } = generator;
    const typeRules = !types
      ? ""
      : types.params === "any"
        ? "; its types narrow the request on `model` and type `params` as any"
        : "; its types narrow the request on `model` and keep each model's fields and enums, not the cross-field rules";
    // The type assertions are the `@ts-expect-error` lines of typeCheck(): an unused one is a tsc error.
    it(`compiles with tsc 5.9 (strict)${typeRules}`, () => {
      expect(diagnostics.filter((line) => line.startsWith(`${generator.folder}/`))).toEqual([]);
    });

    if (schema && verdicts) {
      const rejected = generator.rejectsExamples?.names ?? [];
      const but = rejected.length ? ` but ${rejected.join(", ")}: ${generator.rejectsExamples!.because}` : "";
      it(`its zod schema passes every named request example of the create operation${but}`, async () => {
        const parse = await zodSchema(generator.folder, schema);
        for (const [name, body] of Object.entries(examples)) {
          const result = parse.safeParse(body);
          expect(result.success, `${name}: ${JSON.stringify(result.error?.issues)}`).toBe(!rejected.includes(name));
        }
      });

      for (const [name, probe] of Object.entries(PROBES) as [string, Probe][]) {
        const keeps = verdicts[name] === "rejects";
        it(`its zod schema ${keeps ? "keeps the rule: rejects" : "loses the rule: accepts"} ${name}`, async () => {
          const parse = await zodSchema(generator.folder, schema);
          expect(parse.safeParse(probe.body).success).toBe(!keeps);
        });
      }
    }

    if (generator.folder === "hey-api") {
      it("its SDK sends a request example as the body, to the create's path", async () => {
        const { createClient } = await import(join(dir, generator.folder, "client", "index.ts"));
        const { createTask } = await import(join(dir, generator.folder, "sdk.gen.ts"));
        const sent: Request[] = [];
        const client = createClient({
          baseUrl: "http://kirin.test",
          fetch: async (request: Request) => {
            sent.push(request);
            return Response.json({ id: "task_1", status: "pending" });
          },
        });
        const body = examples.I2VSingleShotUrlRequest;
        const { data } = await createTask({ client, body, auth: "test-key" });
        expect(data).toEqual({ id: "task_1", status: "pending" });
        expect(sent[0]!.url).toBe("http://kirin.test/model/v1/generation");
        expect(sent[0]!.headers.get("authorization")).toBe("Bearer test-key");
        expect(await sent[0]!.json()).toEqual(body);
      });
    }

    if (generator.folder === "orval-fetch") {
      // Its functions call the global fetch with a path relative to no base URL: loading is the check.
      it("its client module loads and names the create's path", async () => {
        const api = await import(join(dir, generator.folder, "api.ts"));
        expect(api.getCreateTaskUrl()).toBe("/model/v1/generation");
        expect(typeof api.createTask).toBe("function");
      });
    }
  });

interface ZodLike {
  safeParse(value: unknown): { success: boolean; error?: { issues: unknown[] } };
}

/** A generator's zod schema, by its file and its path among the file's exports. */
async function zodSchema(folder: string, { file, path }: { file: string; path: string[] }): Promise<ZodLike> {
  let value: any = await import(join(dir, folder, `${file}.ts`));
  for (const name of path) value = value?.[name];
  if (typeof value?.safeParse !== "function") throw new Error(`${folder}/${file}.ts: ${path.join(".")} is not a zod schema`);
  return value;
}

/**
 * A type check for the request type of one generator: `body` is the expression of its type. Each
 * `@ts-expect-error` is a rule the types keep; the last bodies, which compile, are what they lose.
 */
function typeCheck({ imports, body, params }: { imports: string; body: string; params?: "any" }): string {
  const typed = params !== "any";
  return `${imports}
type Body = ${body};

export function paramsOf(body: Body) {
  if (body.model === "kirin_v3_i2v") {
    const params = body.input[0]!.params;
${typed ? "    // @ts-expect-error narrowed to kirin_v3_i2v, whose params have no aspect_ratio\n" : "    // Lost: params are any, so nothing about them is checked.\n"}    params.aspect_ratio;
    return params.image_tail;
  }
  const model: "kirin_v3_omni_video" = body.model;
  return [model, body.input[0]!.params.aspect_ratio];
}

export const valid: Body[] = [
${Object.values(examples)
  .map((body) => `  ${JSON.stringify(body)},`)
  .join("\n")}
];

// Kept: each of these is a type error.
// @ts-expect-error an unknown model
export const unknownModel: Body = { model: "kirin_v2", input: [{ params: { prompt: "p" } }] };
${
  typed ? "" : "// Lost: the params' fields (params are any). None of these is a type error.\n"
}${typed ? '// @ts-expect-error duration is one of "3" to "15"\n' : ""}export const wrongDuration: Body = { model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", prompt: "p", duration: "20" } }] };
${typed ? "// @ts-expect-error aspect_ratio is not a kirin_v3_i2v parameter\n" : ""}export const foreignField: Body = { model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", prompt: "p", aspect_ratio: "16:9" } }] };
${typed ? "// @ts-expect-error multi_shot is a boolean\n" : ""}export const wrongType: Body = { model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", prompt: "p", multi_shot: "yes" } }] };

// Lost: these break cross-field rules of the contract, and compile.
export const emptyParams: Body = { model: "kirin_v3_i2v", input: [{ params: {} }] }; // image-or-image-tail
export const noShotType: Body = { model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", multi_shot: true } }] }; // multi-shot-requires-shot-type
export const noAspectRatio: Body = { model: "kirin_v3_omni_video", input: [{ params: { prompt: "p" } }] }; // aspect-ratio-required
`;
}
