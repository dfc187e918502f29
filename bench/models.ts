// The models a run measures and their request shapes: the generated `bench` model (~35M params,
// Q8_0) and the `tiny` model (~1 MB, where per-token overhead dominates).
import { statSync } from "node:fs";
import { defaultCacheDir, ensureGeneratedModel } from "../src/inference/generatedModel/defaultModel.js";
import type { BenchModelPreset } from "./options.js";

export interface BenchModel {
  id: BenchModelPreset;
  path: string;
  sizeBytes: number;
  /** Output tokens per request (the models rarely stop on their own). */
  maxTokens: number;
  /** Words (≈ tokens) in each prompt. */
  promptWords: number;
}

const OUTPUT_TOKENS: Record<BenchModelPreset, { full: number; quick: number }> = {
  bench: { full: 128, quick: 32 },
  tiny: { full: 256, quick: 64 },
};

export async function prepareModel(preset: BenchModelPreset, quick: boolean): Promise<BenchModel> {
  const { path } = await ensureGeneratedModel({ preset, cacheDir: defaultCacheDir() });
  return {
    id: preset,
    path,
    sizeBytes: statSync(path).size,
    maxTokens: quick ? OUTPUT_TOKENS[preset].quick : OUTPUT_TOKENS[preset].full,
    promptWords: 100,
  };
}

/** Requests per concurrency level: twice the concurrency, and at least 8. */
export function requestCount(concurrency: number, quick: boolean): number {
  if (quick) return concurrency;
  return Math.max(8, 2 * concurrency);
}
