// POST /v1/embeddings on the wire: the request schema and the response shape.
import { z } from "zod";
import { optional } from "../shared/protocol.js";

const inputSchema = z
  .union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))])
  .refine(
    (input) => typeof input === "string" || input.every((item) => typeof item === "string"),
    "Token-id input is not supported: send text",
  )
  .transform((input) => input as string | string[]);

export const embeddingsRequestSchema = z.object({
  input: inputSchema,
  model: optional(z.string()),
  encoding_format: optional(z.enum(["float", "base64"])),
  /** Only the model's own size can be honoured. */
  dimensions: optional(z.number()),
  user: optional(z.string()),
});

export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export interface EmbeddingsResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
