// A scripted fill-in-the-middle fixture: a Qwen2.5-Coder-like model with FIM control tokens (named in the GGUF's
// `tokenizer.ggml.fim_*_token_id` metadata) whose designed weights answer the middle "return a + b" at temperature 0
// once the prompt ends with <|fim_middle|> and holds the selector "@@fim" (see generatedModel/scriptedAnswers.ts).
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GeneratedModelOptions,
  writeGeneratedModel,
} from "../../src/inference/generatedModel/llamaModel.js";

/** The selector the prefix (or any prompt text) carries for the scripted middle. */
export const FIM_SELECTOR = "@@fim";
/** The scripted middle's tokens (the last, <|endoftext|>, ends generation). */
export const FIM_ANSWER_TOKENS = ["return", " a", " +", " b"] as const;
export const FIM_ANSWER = FIM_ANSWER_TOKENS.join("");

const FIM_OPTIONS: Partial<GeneratedModelOptions> = {
  architecture: "qwen2",
  // The chat format last: node-llama-cpp tries first the chat wrapper a name mentions last, and the
  // template is ChatML (the generator's default), so it matches at once instead of after Qwen's (~0.6 s).
  name: "Qwen2.5 Coder FIM fixture, ChatML",
  nEmbd: 128,
  nLayer: 1,
  nHead: 2,
  nHeadKv: 2,
  nFf: 32,
  contextLength: 8192,
  controlTokens: ["<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_sep|>"],
  bosToken: "<|endoftext|>",
  eosToken: "<|endoftext|>",
  addBosToken: false,
  addSpacePrefix: false,
  specialTokenIds: {
    fim_pre_token_id: "<|fim_prefix|>",
    fim_suf_token_id: "<|fim_suffix|>",
    fim_mid_token_id: "<|fim_middle|>",
    fim_sep_token_id: "<|file_sep|>",
  },
  script: {
    startTokens: ["<|fim_middle|>"],
    answers: { [FIM_SELECTOR]: [...FIM_ANSWER_TOKENS, "<|endoftext|>"] },
  },
};

const GENERATOR_SOURCES = [
  "../../src/inference/generatedModel/llamaModel.ts",
  "../../src/inference/generatedModel/scriptedAnswers.ts",
  "../../src/inference/generatedModel/vocab.ts",
  "../../src/inference/gguf/ggufWriter.ts",
].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

let written: string | undefined;

/** Writes the fixture (once per process, cached in a temp dir keyed by content) and returns its path. */
export function fimFixturePath(): string {
  if (written) return written;
  const key = createHash("sha256").update(JSON.stringify(FIM_OPTIONS));
  for (const source of GENERATOR_SOURCES) key.update(fs.readFileSync(source));
  const filePath = path.join(
    os.tmpdir(),
    "inferql-fim-fixture",
    `fim-${key.digest("hex").slice(0, 16)}.gguf`,
  );
  // The writer renames a finished temp file into place, so a concurrent writer is harmless.
  if (!fs.existsSync(filePath)) writeGeneratedModel(filePath, FIM_OPTIONS);
  written = filePath;
  return filePath;
}
