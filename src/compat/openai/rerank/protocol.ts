// POST /v1/rerank on the wire (llama-server's, Jina's and Cohere's shape): the request schema and the response shape.
import { z } from "zod";
import { optional } from "../shared/protocol.js";

/** A document as a text, or as Cohere's `{text}` object. */
const documentSchema = z.union([z.string(), z.object({ text: z.string() })]);

export const rerankRequestSchema = z.object({
  model: optional(z.string()),
  query: z.string(),
  documents: z.array(documentSchema),
  top_n: optional(z.number()),
  return_documents: optional(z.boolean()),
});

export type RerankRequest = z.output<typeof rerankRequestSchema>;

export interface RerankResponse {
  model: string;
  object: "list";
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage: { prompt_tokens: number; total_tokens: number };
}
