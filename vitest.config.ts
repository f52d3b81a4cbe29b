import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The package's own names, as a user's code imports them (the recipes in docs/ are tests here).
  resolve: {
    alias: [
      { find: /^kirin-api\/msw$/, replacement: here("mock/msw.ts") },
      { find: /^kirin-api\/mock$/, replacement: here("mock/index.ts") },
      { find: /^kirin-api\/client$/, replacement: here("src/client-entry.ts") },
      { find: /^kirin-api$/, replacement: here("src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Type-level tests (`*.test-d.ts`: expectTypeOf, @ts-expect-error) run with the suite, checked
    // by tsc against the project's tsconfig; a type assertion that does not hold fails the run.
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
    exclude: ["test/bench/**", "node_modules/**"],
    globalSetup: ["test/support/global-setup.ts"],
    // fast-check's seed: the commit's under CI, fresh otherwise (see the file).
    setupFiles: ["test/support/seed.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
