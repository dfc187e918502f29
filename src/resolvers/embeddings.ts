// The embeddings operation: one vector per input, a text or a list of token ids. A local model embeds
// in this process; a remote upstream's replicas embed (and normalize) on their side.
import type { Token } from "node-llama-cpp";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { RemoteModel } from "../inference/remote/remoteModel.js";
import type { InferenceDeps } from "./context.js";
import { normalizeEmbedding } from "./normalizeEmbedding.js";
import { parseInput } from "./parseInput.js";

const tokenIdsSchema = z.array(z.number().int().min(0)).min(1);

export const embeddingsInputSchema = z.strictObject({
  model: z.string().min(1).optional(),
  input: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1).max(256),
    tokenIdsSchema,
    z.array(tokenIdsSchema).min(1).max(256),
  ]),
  truncate: z
    .boolean()
    .default(false)
    .describe(
      "Cut an input longer than the model's context to its length instead of refusing it (Ollama's default); a remote upstream answers as it does",
    ),
  normalize: z
    .number()
    .int()
    .min(-1)
    .default(2)
    .describe(
      "llama.cpp's embd_normalize: -1 none, 0 max-abs scaled to int16, 1 taxicab, 2 euclidean (unit length), >2 p-norm",
    ),
});

export type EmbeddingsInput = z.input<typeof embeddingsInputSchema>;

export interface Embeddings {
  model: string;
  vectors: number[][];
  usage: { promptTokens: number; totalTokens: number };
}

export async function createEmbeddings(
  deps: InferenceDeps,
  input: EmbeddingsInput | unknown,
): Promise<Embeddings> {
  const parsed = parseInput(embeddingsInputSchema, input);
  const model = deps.registry.get(parsed.model ?? deps.registry.defaultModelId);
  if (model instanceof RemoteModel) {
    const { vectors, promptTokens } = await model.embed(parsed.input, parsed.normalize);
    return { model: model.id, vectors, usage: { promptTokens, totalTokens: promptTokens } };
  }
  const inputs = toEmbeddingInputs(parsed.input);
  for (const [index, item] of inputs.entries()) {
    if (typeof item === "string") continue;
    const invalid = item.findIndex((token) => !model.isValidToken(token));
    if (invalid < 0) continue;
    const field = Array.isArray(parsed.input[0]) ? `input.${index}.${invalid}` : `input.${invalid}`;
    throw new InvalidInputError(
      field,
      `Unknown token id ${item[invalid]} (the vocabulary has ${model.vocabularySize})`,
    );
  }
  const { vectors, promptTokens } = await model.embed(inputs, parsed.truncate);
  return {
    model: model.id,
    vectors: vectors.map((vector) => normalizeEmbedding(vector, parsed.normalize)),
    usage: { promptTokens, totalTokens: promptTokens },
  };
}

/** Texts, or lists of token ids: one item per vector. */
function toEmbeddingInputs(input: z.output<typeof embeddingsInputSchema>["input"]): (string | Token[])[] {
  if (typeof input === "string") return [input];
  if (input.every((item) => typeof item === "number")) return [input as Token[]];
  return input as (string | Token[])[];
}
