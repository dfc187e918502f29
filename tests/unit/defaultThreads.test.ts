import os from "node:os";
import type { Llama } from "node-llama-cpp";
import { expect, test } from "vitest";
import { defaultThreadsFor, describeEngine } from "../../src/inference/engine/loadLlama.js";

const engine = (systemInfo: string, buildType: Llama["buildType"] = "prebuilt") =>
  ({ systemInfo, buildType }) as Llama;

test("with OpenMP every core decodes; without it one core is left to the event loop", () => {
  const cores = os.availableParallelism();
  expect(defaultThreadsFor(engine("CPU : AVX2 = 1 | OPENMP = 1 | REPACK = 1 |"))).toBe(cores);
  expect(defaultThreadsFor(engine("CPU : AVX2 = 1 | LLAMAFILE = 1 | REPACK = 1 |"))).toBe(
    Math.max(1, cores - 1),
  );
});

test("the start-up line names the binaries node-llama-cpp loaded and whether they have OpenMP", () => {
  expect(describeEngine(engine("CPU : AVX2 = 1 | LLAMAFILE = 1 |"))).toBe("prebuilt");
  expect(describeEngine(engine("CPU : AVX2 = 1 | OPENMP = 1 |", "localBuild"))).toBe("local build (OpenMP)");
});
