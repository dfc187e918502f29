// Writes a seeded random LoRA adapter GGUF whose shapes match a model made by writeGeneratedModel.
import {
  GGUF_ALIGNMENT,
  type GgufMetadataEntry,
  type GgufTensorSpec,
  writeGguf,
} from "../gguf/ggufWriter.js";
import { fillUniform } from "../gguf/seededRandom.js";
import { type GeneratedModelOptions, resolveModelOptions } from "./llamaModel.js";

/** The per-block weight matrices an adapter can target. */
export type LoraTarget = "attn_q" | "attn_k" | "attn_v" | "attn_output" | "ffn_gate" | "ffn_up" | "ffn_down";

export interface GeneratedLoraOptions {
  /** The base model's options (only the dimensions and name matter); defaults as in writeGeneratedModel. */
  base: Partial<GeneratedModelOptions>;
  /** Adapter rank r. Default 8. */
  rank: number;
  /** LoRA alpha; llama.cpp scales the delta B·A by alpha / rank. Default 16. */
  alpha: number;
  /** Standard deviation of the uniform random A and B matrices. Default 0.5 (a clearly visible effect). */
  std: number;
  /** Adapter weight seed. Default 7. */
  seed: number;
  /** Matrices to adapt in every block. Default attn_q, attn_v, ffn_up. */
  targets: readonly LoraTarget[];
}

export const DEFAULT_LORA_OPTIONS: Readonly<GeneratedLoraOptions> = {
  base: {},
  rank: 8,
  alpha: 16,
  std: 0.5,
  seed: 7,
  targets: ["attn_q", "attn_v", "ffn_up"],
};

export interface GeneratedLoraResult {
  path: string;
  bytes: number;
  sha256: string;
  params: number;
  tensorCount: number;
}

/** Writes the adapter to `outPath` (atomically). Same options → byte-identical file. */
export function writeGeneratedLora(
  outPath: string,
  options: Partial<GeneratedLoraOptions> = {},
): GeneratedLoraResult {
  const o: GeneratedLoraOptions = { ...DEFAULT_LORA_OPTIONS, ...options };
  const base = resolveModelOptions(o.base);
  if (!Number.isSafeInteger(o.rank) || o.rank < 1)
    throw new Error(`rank must be a positive integer, got ${o.rank}`);
  if (!Number.isFinite(o.alpha)) throw new Error("alpha must be finite");
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${o.seed}`);
  }
  const nEmbdKv = (base.nEmbd / base.nHead) * base.nHeadKv;
  const inputDim: Record<LoraTarget, number> = {
    attn_q: base.nEmbd,
    attn_k: base.nEmbd,
    attn_v: base.nEmbd,
    attn_output: base.nEmbd,
    ffn_gate: base.nEmbd,
    ffn_up: base.nEmbd,
    ffn_down: base.nFf,
  };
  const outputDim: Record<LoraTarget, number> = {
    attn_q: base.nEmbd,
    attn_k: nEmbdKv,
    attn_v: nEmbdKv,
    attn_output: base.nEmbd,
    ffn_gate: base.nFf,
    ffn_up: base.nFf,
    ffn_down: base.nEmbd,
  };

  const tensors: GgufTensorSpec[] = [];
  const random = (name: string, shape: number[]): GgufTensorSpec => ({
    name,
    shape,
    type: "f32",
    fill: (data) => fillUniform(data, o.seed, name, o.std),
  });
  for (let i = 0; i < base.nLayer; i++) {
    for (const target of o.targets) {
      const weight = `blk.${i}.${target}.weight`;
      // lora_a: [n_in, r], lora_b: [r, n_out] in ggml order; delta W = (alpha / r) · B·A.
      tensors.push(random(`${weight}.lora_a`, [inputDim[target], o.rank]));
      tensors.push(random(`${weight}.lora_b`, [o.rank, outputDim[target]]));
    }
  }

  const metadata: GgufMetadataEntry[] = [
    { key: "general.architecture", type: "string", value: "llama" },
    { key: "general.type", type: "string", value: "adapter" },
    { key: "general.name", type: "string", value: `${base.name}-lora` },
    { key: "general.alignment", type: "u32", value: GGUF_ALIGNMENT },
    { key: "adapter.type", type: "string", value: "lora" },
    { key: "adapter.lora.alpha", type: "f32", value: o.alpha },
  ];
  const written = writeGguf(outPath, metadata, tensors);
  return {
    path: outPath,
    bytes: written.bytes,
    sha256: written.sha256,
    params: tensors.reduce((sum, t) => sum + t.shape[0] * t.shape[1], 0),
    tensorCount: tensors.length,
  };
}
