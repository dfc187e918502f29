// POST /v1/embeddings on the wire: the request schema and the response shape.
import { z } from "zod";
import { optional } from "../shared/protocol.js";

/** Texts, or token ids (one list, or a list of lists), as OpenAI accepts them. */
const inputSchema = z.union([
  z.string(),
  z.array(z.string()),
  z.array(z.number()),
  z.array(z.array(z.number())),
]);

export const embeddingsRequestSchema = z.object({
  input: inputSchema,
  model: optional(z.string()),
  encoding_format: optional(z.enum(["float", "base64"])),
  /** Only the model's own size can be honoured. */
  dimensions: optional(z.number()),
  user: optional(z.string()),
  /** Not in OpenAI's API: llama-server's normalisation (-1 none, 0 int16 max-abs, 1 taxicab, 2 euclidean, >2 p-norm). */
  embd_normalize: optional(z.number()),
});

export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export interface EmbeddingsResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
