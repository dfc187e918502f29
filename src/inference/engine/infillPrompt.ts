// A fill-in-the-middle prompt's tokens, laid out as llama-server's /infill lays them out (format_prompt_infill).
import type { LlamaModel, Token } from "node-llama-cpp";
import { InvalidInputError } from "../../errors.js";
import type { InfillPrompt } from "../types.js";

/** Token texts llama.cpp recognises as the repository-name and file-separator tokens when the GGUF names none. */
const REPOSITORY_TOKEN_TEXTS = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
const FILE_SEPARATOR_TOKEN_TEXTS = ["<|file_sep|>"];
/** llama-server's fixed project name and current file name (it takes neither from the request). */
const PROJECT_NAME = "myproject";
const CURRENT_FILE_NAME = "filename";
/** What separates extra files on a model without a file-separator token. */
const CHUNK_SEPARATOR = "\n\n--- snippet ---\n\n";

export interface FimTokens {
  prefix: Token;
  suffix: Token;
  middle: Token;
  repository?: Token;
  fileSeparator?: Token;
}

/** The model's FIM tokens; undefined when it lacks the prefix, suffix or middle token (it cannot infill). */
export function fimTokensOf(model: LlamaModel): FimTokens | undefined {
  const { prefix, suffix, middle } = model.tokens.infill;
  if (prefix === null || suffix === null || middle === null) return undefined;
  return {
    prefix,
    suffix,
    middle,
    repository: specialToken(model, "fim_rep_token_id", REPOSITORY_TOKEN_TEXTS),
    fileSeparator: specialToken(model, "fim_sep_token_id", FILE_SEPARATOR_TOKEN_TEXTS),
  };
}

/**
 * `[<FIM_REP>myproject\n] ([<FIM_SEP>filename\n] | separator) text … [<FIM_SEP>filename\n] [BOS] <FIM_PRE>prefix
 * <FIM_SUF>suffix <FIM_MID>prompt`. The prompt follows FIM_MID as llama-server documents it (the start of the
 * middle, which generation continues). Nothing is truncated: a prompt too long for the context is refused.
 */
export function infillPromptTokens(model: LlamaModel, modelId: string, prompt: InfillPrompt): Token[] {
  const fim = fimTokensOf(model);
  if (!fim)
    throw new InvalidInputError(
      "model",
      `The model '${modelId}' does not support infill: it has no fill-in-the-middle (FIM) prefix, suffix and middle tokens`,
    );
  const text = (value: string): Token[] => (value === "" ? [] : model.tokenize(value, false));
  const tokens: Token[] = [];
  if (fim.repository !== undefined) tokens.push(fim.repository, ...text(`${PROJECT_NAME}\n`));
  for (const file of prompt.extra) {
    if (fim.fileSeparator !== undefined) tokens.push(fim.fileSeparator, ...text(`${file.filename}\n`));
    else tokens.push(...text(CHUNK_SEPARATOR));
    tokens.push(...text(file.text));
  }
  if (fim.fileSeparator !== undefined) tokens.push(fim.fileSeparator, ...text(`${CURRENT_FILE_NAME}\n`));
  const { bos, shouldPrependBosToken } = model.tokens;
  if (shouldPrependBosToken && bos !== null) tokens.push(bos);
  tokens.push(fim.prefix, ...text(prompt.prefix), fim.suffix, ...text(prompt.suffix), fim.middle);
  tokens.push(...text(prompt.prompt));
  return tokens;
}

/** A special token by its GGUF metadata key (`tokenizer.ggml.<key>`), else by one of the texts llama.cpp knows. */
function specialToken(model: LlamaModel, key: string, texts: readonly string[]): Token | undefined {
  const ggml: Record<string, unknown> = model.fileInfo.metadata.tokenizer.ggml;
  const id = ggml[key];
  if (typeof id === "number") return id as Token;
  const vocab = model.fileInfo.metadata.tokenizer.ggml.tokens;
  for (const text of texts) {
    const index = vocab.indexOf(text);
    if (index >= 0) return index as Token;
  }
  return undefined;
}
