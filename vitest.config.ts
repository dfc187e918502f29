import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// The workers' large allocations on transparent huge pages (glibc's malloc asks for them with
// madvise; this VM's THP mode is "madvise"). The workers start ~100 llama.cpp contexts a run, whose
// KV caches llama.cpp zeroes as it allocates them: ~750 MB in all, first touched 4 KB at a time
// (a page fault each, slow in a VM). A 4 × 16,384-token context of the tiny model took 90–130 ms to
// create with 4 KB pages and 5–16 ms with huge pages. Read by each worker's process at its start
// (the workers inherit this process's environment), so it is set before they are forked; servers
// that tests start as processes inherit it too. Set GLIBC_TUNABLES to run without it.
process.env.GLIBC_TUNABLES ??= "glibc.malloc.hugetlb=1";

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
    // expect.poll waits on real generations and a real browser: its default 1 s gave up once on a
    // machine at load 12 (the playground's tool-call test). A poll still ends as soon as it passes.
    expect: { poll: { timeout: 10_000 } },
    // Three workers, each running its files one after another in one module graph: the app and its
    // dependencies load once per worker, not once per file, and so do the llama.cpp bindings and
    // each model file's chat wrapper (tests/support/sharedLlama.ts). Test servers use one decode
    // thread (--threads 1). Three on 2 cores, because a worker often waits (on the processes,
    // Redis and browser its tests start, and on timers): whole suite on the idle 2-core VM,
    // alternating runs, 73 / 63 s with 2 workers, 53 / 45 / 47 s with 3, 48 / 52 s with 4; again after
    // the suite's CPU fell (~83 → 56–70 s), 33 / 38 s with 3 against 38 / 43 s with 4.
    // A file must leave nothing behind: close its servers, restore fake timers and spies (vitest
    // restores mocks between files).
    maxWorkers: 3,
    isolate: false,
    // No TurboFan in the workers: a test runs each function a few times, too few to repay optimizing
    // it, and the optimizing compiler's threads took CPU from the two cores every file shares. Whole
    // suite's CPU (its cgroup), four pairs of alternating runs on the idle 2-core VM, with / without:
    // 105 / 117, 104 / 125, 94 / 148, 106 / 123 s. Servers the tests start as processes run as users
    // run them.
    execArgv: ["--no-opt"],
    // The dependencies each worker imports as hundreds of small modules, bundled once into a file each
    // (Vite's optimizer, cached in node_modules/.vite): a worker's start resolved, read and compiled
    // ~1,700 module files, ~2 s of its CPU. Whole suite on the idle 2-core VM, four pairs of
    // alternating runs: 36.6 / 35.7 / 36.1 / 33.6 s with it, 38.2 / 38.9 / 43.2 / 37.1 s without
    // (CPU 62–66 s against 67–79 s). A clean install bundles them in its first run (~1 s): two pairs
    // from a fresh clone, caches emptied before each run, 37.8 / 42.2 s with it, 38.1 / 46.6 s without.
    // Not bundled: graphql (one copy for every schema and executor, see the alias above),
    // node-llama-cpp (it finds its binaries next to its own files) and lifecycle-utils (the engine
    // shares node-llama-cpp's context lock, src/inference/engine/contextDecoder.ts).
    deps: {
      optimizer: {
        ssr: {
          enabled: true,
          include: [
            "openai",
            "zod",
            "ajv",
            "ajv/dist/2019.js",
            "ajv/dist/2020.js",
            "@pothos/core",
            "graphql-yoga",
            "@graphql-tools/schema",
            "@graphql-tools/utils",
            "@graphql-tools/executor",
            "prom-client",
            "@opentelemetry/api",
          ],
          exclude: ["graphql", "node-llama-cpp", "lifecycle-utils"],
        },
      },
    },
    globalSetup: ["tests/globalSetup.ts"],
    setupFiles: ["tests/support/sharedLlama.ts"],
    // Transformed modules kept on disk between runs (keyed by content): a run after the first
    // transforms only what changed (~1.2 s less CPU in the main process, before the workers can start).
    experimental: { fsModuleCache: true, fsModuleCachePath: ".cache/vitest-modules" },
  },
});
