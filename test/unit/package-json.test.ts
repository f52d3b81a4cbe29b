// package.json as the build and the package test read it: its entry fields are what
// scripts/entries.mjs says (the list every entry is built from), and each entry's source exists.
// The packed package itself is checked by `npm run test:package`.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENTRIES, MIN_TYPESCRIPT, packageFieldDrift, packageFields, withPackageFields } from "../../scripts/entries.mjs";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as Record<string, unknown>;

describe("package.json", () => {
  it("has the main, types, exports and typesVersions scripts/entries.mjs gives (node scripts/entries.mjs --write)", () => {
    expect(packageFieldDrift(pkg)).toEqual([]);
  });

  it.each(ENTRIES.map((e) => [e.subpath, e.source] as const))("%s is built from %s, which exists", (_subpath, source) => {
    expect(existsSync(source)).toBe(true);
  });

  it("offers import and require for every entry, the older-TypeScript stub first", () => {
    const exports = packageFields().exports as Record<string, Record<string, unknown>>;
    for (const { subpath } of ENTRIES) {
      expect(Object.keys(exports[subpath]!)).toEqual([`types@<${MIN_TYPESCRIPT}`, "import", "require"]);
    }
  });

  it("gets a new entry from one line in ENTRIES", () => {
    const client = { subpath: "./client", name: "client", source: "src/client-entry.ts", browser: true };
    const rewritten = withPackageFields(pkg, [...ENTRIES, client]);
    expect(packageFieldDrift(rewritten, [...ENTRIES, client])).toEqual([]);
    expect((rewritten.exports as Record<string, { require: unknown }>)["./client"]!.require).toEqual({
      types: "./dist/client.d.cts",
      default: "./dist/client.cjs",
    });
    expect((rewritten.typesVersions as Record<string, Record<string, string[]>>)["*"]!.client).toEqual(["./dist/client.d.cts"]);
    // Every other field stays where it was.
    expect(Object.keys(rewritten)).toEqual(Object.keys(pkg));
  });

  it("states the minimum TypeScript where package.json says it, and ships what its users need", () => {
    expect(Object.keys(pkg.typesVersions as object)[0]).toBe(`<${MIN_TYPESCRIPT}`);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe("MIT");
    expect(existsSync("LICENSE")).toBe(true);
    expect(pkg.files).toContain("docs/*.md");
  });
});
