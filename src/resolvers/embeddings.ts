// The embeddings operation: one vector per input text.
import { z } from "zod";
import type { InferenceDeps } from "./context.js";
import { parseInput } from "./parseInput.js";

export const embeddingsInputSchema = z.strictObject({
  model: z.string().min(1).optional(),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(256)]),
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
  const texts = typeof parsed.input === "string" ? [parsed.input] : parsed.input;
  const { vectors, promptTokens } = await model.embed(texts);
  return { model: model.id, vectors, usage: { promptTokens, totalTokens: promptTokens } };
}
