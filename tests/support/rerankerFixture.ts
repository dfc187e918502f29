// A random-weight reranker fixture: a small Qwen3 model with a Qwen3-Reranker-like ranking head (cls.output.weight
// over the labels "yes" and "no", pooling type RANK), which node-llama-cpp's ranking context accepts. Its scores are
// arbitrary but deterministic.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GeneratedModelOptions,
  writeGeneratedModel,
} from "../../src/inference/generatedModel/llamaModel.js";

const RERANKER_OPTIONS: Partial<GeneratedModelOptions> = {
  architecture: "qwen3",
  // The chat format last: node-llama-cpp tries first the chat wrapper a name mentions last, and the
  // template is ChatML (the generator's default), so it matches at once instead of after Qwen's (~0.6 s).
  name: "Qwen3 Reranker fixture, ChatML",
  nEmbd: 64,
  nLayer: 1,
  nHead: 2,
  nHeadKv: 2,
  nFf: 64,
  contextLength: 2048,
  controlTokens: ["<|im_start|>", "<|im_end|>", "<|endoftext|>"],
  bosToken: "<|endoftext|>",
  eosToken: "<|im_end|>",
  addBosToken: false,
  addSpacePrefix: false,
  rankingHead: true,
};

const GENERATOR_SOURCES = [
  "../../src/inference/generatedModel/llamaModel.ts",
  "../../src/inference/generatedModel/vocab.ts",
  "../../src/inference/gguf/ggufWriter.ts",
].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

let written: string | undefined;

/** Writes the fixture (once per process, cached in a temp dir keyed by content) and returns its path. */
export function rerankerFixturePath(): string {
  if (written) return written;
  const key = createHash("sha256").update(JSON.stringify(RERANKER_OPTIONS));
  for (const source of GENERATOR_SOURCES) key.update(fs.readFileSync(source));
  const filePath = path.join(
    os.tmpdir(),
    "inferql-reranker-fixture",
    `reranker-${key.digest("hex").slice(0, 16)}.gguf`,
  );
  // The writer renames a finished temp file into place, so a concurrent writer is harmless.
  if (!fs.existsSync(filePath)) writeGeneratedModel(filePath, RERANKER_OPTIONS);
  written = filePath;
  return filePath;
}
