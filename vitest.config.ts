import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The package's own names, as a user's code imports them (the recipes in docs/ are tests here).
  resolve: {
    alias: [
      { find: /^kirin-api\/msw$/, replacement: here("mock/msw.ts") },
      { find: /^kirin-api\/mock$/, replacement: here("mock/index.ts") },
      { find: /^kirin-api$/, replacement: here("src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
