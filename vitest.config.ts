import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql ships both ESM and CJS entry points; pin one so vitest never loads two copies.
    alias: { graphql: fileURLToPath(new URL("./node_modules/graphql/index.js", import.meta.url)) },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    // The installed-package test packs and installs: `npm run test:package` (vitest.package.config.ts).
    exclude: [...configDefaults.exclude, "tests/package/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two workers, each running its files one after another in one module graph: the app, its
    // dependencies and the llama.cpp bindings (tests/support/sharedLlama.ts) load once per worker,
    // not once per file. Test servers use one decode thread (--threads 1), so two fit on 2 cores.
    maxWorkers: 2,
    isolate: false,
    globalSetup: ["tests/globalSetup.ts"],
    setupFiles: ["tests/support/sharedLlama.ts"],
  },
});
