// The JSON answers of a replica's embeddings (OpenAI's shape), rerank (Jina's and Cohere's, as
// llama-server, vLLM and inferql write it), apply-template, tokenize and detokenize (llama-server's
// and vLLM's),
// the model list (`GET /v1/models`) and llama-server's LoRA adapters, read into what the resolvers
// need. An answer that does not have that shape is an UpstreamStreamError (the replica is passed
// over, as for a broken stream).
import type { UpstreamLoraAdapter } from "./openAiRequest.js";
import { UpstreamStreamError } from "./upstreamOutput.js";

interface Usage {
  prompt_tokens?: unknown;
  total_tokens?: unknown;
}

function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamStreamError(`the ${what} answer is not JSON`);
  }
}

/** The prompt tokens an answer reports (vLLM's rerank reports only a total), else 0. */
function promptTokensOf(usage: Usage | undefined): number {
  const tokens = usage?.prompt_tokens ?? usage?.total_tokens;
  return typeof tokens === "number" ? tokens : 0;
}

/** The vectors of an embeddings answer, one per input in input order, and its prompt tokens. */
export function readEmbeddingsAnswer(
  text: string,
  inputs: number,
): { vectors: number[][]; promptTokens: number } {
  const answer = parse<{ data?: unknown; usage?: Usage }>(text, "embeddings");
  const items = Array.isArray(answer?.data)
    ? (answer.data as { embedding?: unknown; index?: unknown }[])
    : [];
  const vectors: number[][] = [];
  for (const [position, item] of items.entries()) {
    const index = typeof item?.index === "number" ? item.index : position;
    if (!Array.isArray(item?.embedding) || !item.embedding.every((value) => typeof value === "number"))
      throw new UpstreamStreamError("the embeddings answer has an item without a vector of numbers");
    vectors[index] = item.embedding as number[];
  }
  if (items.length !== inputs || vectors.length !== inputs || vectors.includes(undefined as never))
    throw new UpstreamStreamError(
      `the embeddings answer does not have one vector for each of the ${inputs} inputs`,
    );
  return { vectors, promptTokens: promptTokensOf(answer.usage) };
}

/** The relevance score of each document of a rerank answer, in the documents' order, and its prompt tokens. */
export function readRerankAnswer(
  text: string,
  documents: number,
): { scores: number[]; promptTokens: number } {
  const answer = parse<{ results?: unknown; usage?: Usage }>(text, "rerank");
  const results = Array.isArray(answer?.results)
    ? (answer.results as { index?: unknown; relevance_score?: unknown }[])
    : [];
  const scores: number[] = [];
  for (const result of results) {
    const { index, relevance_score: score } = result ?? {};
    if (typeof index !== "number" || typeof score !== "number" || index < 0 || index >= documents)
      throw new UpstreamStreamError("the rerank answer has a result without a document index and a score");
    scores[index] = score;
  }
  if (results.length !== documents || scores.length !== documents || scores.includes(undefined as never))
    throw new UpstreamStreamError(
      `the rerank answer does not have one score for each of the ${documents} documents`,
    );
  return { scores, promptTokens: promptTokensOf(answer.usage) };
}

/** A token of a tokenize answer: its id, and its piece (text, or byte values when not valid UTF-8). */
export interface TokenizedPiece {
  id: number;
  piece: string | number[];
}

/** The tokens of llama-server's tokenize answer with pieces. */
export function readTokenizeAnswer(text: string): TokenizedPiece[] {
  const answer = parse<{ tokens?: unknown }>(text, "tokenize");
  const tokens = Array.isArray(answer?.tokens) ? (answer.tokens as Partial<TokenizedPiece>[]) : undefined;
  const valid = (token: Partial<TokenizedPiece>): token is TokenizedPiece =>
    typeof token?.id === "number" &&
    (typeof token.piece === "string" ||
      (Array.isArray(token.piece) && token.piece.every((byte) => typeof byte === "number")));
  if (!tokens?.every(valid))
    throw new UpstreamStreamError("the tokenize answer is not a list of tokens with their pieces");
  return tokens;
}

/** The prompt of llama-server's apply-template answer. */
export function readApplyTemplateAnswer(text: string): string {
  const answer = parse<{ prompt?: unknown }>(text, "apply-template");
  if (typeof answer?.prompt !== "string")
    throw new UpstreamStreamError("the apply-template answer has no prompt");
  return answer.prompt;
}

/** The text of a detokenize answer: llama-server's `content`, vLLM's `prompt`. */
export function readDetokenizeAnswer(text: string): string {
  const answer = parse<{ content?: unknown; prompt?: unknown }>(text, "detokenize");
  const content = answer?.content ?? answer?.prompt;
  if (typeof content !== "string") throw new UpstreamStreamError("the detokenize answer has no text");
  return content;
}

/** vLLM's tokenize answer: the token ids and their count. */
export function readVllmTokenizeAnswer(text: string): { tokens: number[]; count: number } {
  const answer = parse<{ tokens?: unknown; count?: unknown }>(text, "tokenize");
  const tokens = answer?.tokens;
  if (!Array.isArray(tokens) || !tokens.every((token) => typeof token === "number"))
    throw new UpstreamStreamError("the tokenize answer is not a list of token ids");
  return { tokens, count: typeof answer.count === "number" ? answer.count : tokens.length };
}

/** What a replica's model list says of the model it serves (0 where it says nothing). */
export interface ModelDescription {
  /** Tokens one request may use: llama-server's and inferql's `meta.n_ctx`, vLLM's `max_model_len`. */
  contextSize: number;
  trainContextSize: number;
  embeddingSize: number;
  sizeBytes: number;
}

interface ListedModel {
  id?: unknown;
  aliases?: unknown;
  max_model_len?: unknown;
  meta?: { n_ctx?: unknown; n_ctx_train?: unknown; n_embd?: unknown; size?: unknown } | null;
}

/**
 * The description of `name` in a model list: the entry with that id or alias, else the only entry
 * (llama-server lists its file under its own name, whatever the gateway calls it); undefined when
 * the list names none of them.
 */
export function readModelsAnswer(answer: unknown, name: string): ModelDescription | undefined {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const entries = data as ListedModel[];
  const entry =
    entries.find(
      (model) => model?.id === name || (Array.isArray(model?.aliases) && model.aliases.includes(name)),
    ) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) return undefined;
  const count = (value: unknown) => (typeof value === "number" && value > 0 ? value : 0);
  return {
    contextSize: count(entry.meta?.n_ctx) || count(entry.max_model_len),
    trainContextSize: count(entry.meta?.n_ctx_train),
    embeddingSize: count(entry.meta?.n_embd),
    sizeBytes: count(entry.meta?.size),
  };
}

/** llama-server's `GET /lora-adapters`: each adapter's id, named by its file without `.gguf`. */
export function readLoraAdaptersAnswer(answer: unknown): UpstreamLoraAdapter[] {
  if (!Array.isArray(answer)) throw new UpstreamStreamError("the LoRA adapter list is not a list");
  return (answer as { id?: unknown; path?: unknown }[]).map((adapter) => {
    if (typeof adapter?.id !== "number" || typeof adapter.path !== "string")
      throw new UpstreamStreamError("the LoRA adapter list has an adapter without an id and a path");
    const file = adapter.path.split(/[\\/]/).at(-1) ?? adapter.path;
    return { id: adapter.id, name: file.replace(/\.gguf$/i, "") };
  });
}
