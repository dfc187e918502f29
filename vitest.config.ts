import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql ships both ESM and CJS entry points; pin one so vitest never loads two copies.
    alias: { graphql: fileURLToPath(new URL("./node_modules/graphql/index.js", import.meta.url)) },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // llama.cpp contexts are heavy on a 2-core machine: test files run one at a time.
    fileParallelism: false,
    globalSetup: ["tests/globalSetup.ts"],
  },
});
