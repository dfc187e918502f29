// Named generated-model presets (tiny, tiny-stops-early, bench) and the functions that write them to a file.
import { type GeneratedModelOptions, writeGeneratedModel } from "./llamaModel.js";
import { writeGeneratedLora } from "./loraAdapter.js";

export type ModelPreset = "tiny" | "tiny-stops-early" | "bench";
export const MODEL_PRESETS: readonly ModelPreset[] = ["tiny", "tiny-stops-early", "bench"];
export const DEFAULT_PRESET: ModelPreset = "tiny";
export const DEFAULT_SEED = 42;

// One attention head of 64 rather than four of 16 (the same weights count): llama.cpp's CPU attention
// goes over the whole context once per head and layer for every token, and with four small heads a
// generated token cost ~1.6x the CPU (1,500 tokens streamed through the resolvers: 0.9 vs 0.55 ms).
const TINY_DIMENSIONS = { nEmbd: 64, nLayer: 2, nHead: 1, nHeadKv: 1, nFf: 256, tensorType: "f32" } as const;

/**
 * Model options of each preset (the seed is given separately). The names end in the chat format (the
 * generated models carry the ChatML template): node-llama-cpp tries first the chat wrappers a model's
 * name mentions, so ChatML matches at its first try instead of after the other families' (~0.4 s less
 * CPU each time a process loads the model).
 */
export const PRESET_OPTIONS: Readonly<
  Record<ModelPreset, Readonly<Omit<Partial<GeneratedModelOptions>, "seed">>>
> = {
  /** ~1 MB, ~240k params, f32; rarely ends on its own: the default model. */
  tiny: { ...TINY_DIMENSIONS, eogBias: -30, name: "inferql-tiny-chatml" },
  /** The tiny dimensions, but it ends on EOG after a few tokens: for tests of natural stops. */
  "tiny-stops-early": { ...TINY_DIMENSIONS, eogBias: 6, name: "inferql-tiny-stops-early-chatml" },
  /** ~35M params, q8_0 (~38 MB), vocab padded to 8000: for benchmarks. */
  bench: {
    nEmbd: 512,
    nLayer: 8,
    nHead: 8,
    nHeadKv: 8,
    nFf: 1536,
    nVocab: 8000,
    tensorType: "q8_0",
    eogBias: -30,
    name: "inferql-bench-chatml",
  },
};

export function isModelPreset(value: string): value is ModelPreset {
  return (MODEL_PRESETS as readonly string[]).includes(value);
}

export interface GenerateModelFileOptions {
  preset: ModelPreset;
  outPath: string;
  /** Weight seed, default 42. */
  seed?: number;
}

export interface GeneratedFile {
  path: string;
  bytes: number;
  /** Number of weights in the file. */
  params: number;
  /** Hex SHA-256 of the file. */
  sha256: string;
}

/** Writes a preset model to `outPath` (atomically). Same preset + seed → byte-identical file. */
export function generateModelFile({
  preset,
  outPath,
  seed = DEFAULT_SEED,
}: GenerateModelFileOptions): GeneratedFile {
  const result = writeGeneratedModel(outPath, { ...PRESET_OPTIONS[preset], seed });
  return { path: result.path, bytes: result.bytes, params: result.params, sha256: result.sha256 };
}

export interface GenerateLoraFileOptions {
  /** The base model preset the adapter must match. */
  preset: ModelPreset;
  outPath: string;
  /** Adapter weight seed, default 42. */
  seed?: number;
  /** Adapter rank, default 8. */
  rank?: number;
  /** LoRA alpha (scale = alpha / rank), default 16. */
  alpha?: number;
}

/** Writes a LoRA adapter for a preset model to `outPath` (atomically). */
export function generateLoraFile({
  preset,
  outPath,
  seed = DEFAULT_SEED,
  rank,
  alpha,
}: GenerateLoraFileOptions): GeneratedFile {
  const result = writeGeneratedLora(outPath, {
    base: PRESET_OPTIONS[preset],
    seed,
    ...(rank === undefined ? {} : { rank }),
    ...(alpha === undefined ? {} : { alpha }),
  });
  return { path: result.path, bytes: result.bytes, params: result.params, sha256: result.sha256 };
}
