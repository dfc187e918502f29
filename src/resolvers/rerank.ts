// The rerank operation: how relevant each document is to a query, by a local reranker model's ranking
// head or by a remote upstream's replicas.
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { RemoteModel } from "../inference/remote/remoteModel.js";
import type { InferenceDeps } from "./context.js";
import { parseInput } from "./parseInput.js";

export const rerankInputSchema = z.strictObject({
  model: z.string().min(1).optional(),
  query: z.string().min(1),
  documents: z.array(z.string()).min(1).max(1024),
  topN: z.number().int().min(1).optional().describe("Keep only the most relevant documents; default all"),
  returnDocuments: z.boolean().default(false).describe("Echo each result's document text"),
});

export type RerankInput = z.input<typeof rerankInputSchema>;

export interface RerankResult {
  /** The document's position in `documents`. */
  index: number;
  /** A local model's probability (in [0, 1]) that the document is relevant; a remote replica's own score. */
  relevanceScore: number;
  /** The document's text, when `returnDocuments` asked for it. */
  document?: string;
}

export interface Rerank {
  model: string;
  /** The most relevant first. */
  results: RerankResult[];
  usage: { promptTokens: number; totalTokens: number };
}

export async function rerank(deps: InferenceDeps, input: RerankInput | unknown): Promise<Rerank> {
  const parsed = parseInput(rerankInputSchema, input);
  const model = deps.registry.get(parsed.model ?? deps.registry.defaultModelId);
  if (!(model instanceof RemoteModel) && !model.canRank)
    throw new InvalidInputError(
      "model",
      `The model '${model.id}' does not support reranking: it has no ranking head (serve a reranker model such as Qwen3-Reranker or bge-reranker)`,
    );
  const { scores, promptTokens } = await model.rank(parsed.query, parsed.documents);
  // Ties keep the documents' order (sort is stable).
  const results = scores
    .map(
      (relevanceScore, index): RerankResult => ({
        index,
        relevanceScore,
        ...(parsed.returnDocuments ? { document: parsed.documents[index] } : {}),
      }),
    )
    .sort((a, b) => b.relevanceScore - a.relevanceScore)
    .slice(0, parsed.topN);
  return { model: model.id, results, usage: { promptTokens, totalTokens: promptTokens } };
}
