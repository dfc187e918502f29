// llama-server's POST /tokenize and POST /detokenize on the wire.
import { z } from "zod";
import { optional } from "../shared/protocol.js";

export const tokenizeRequestSchema = z.object({
  content: z.string(),
  model: optional(z.string()),
  /** Add BOS / EOS where the model's tokenizer adds them to a prompt (llama-server's default: false). */
  add_special: optional(z.boolean()),
  /** Parse control-token text such as <|im_end|> as tokens (llama-server's default: true). */
  parse_special: optional(z.boolean()),
  with_pieces: optional(z.boolean()),
});

export const detokenizeRequestSchema = z.object({
  tokens: z.array(z.number()),
  model: optional(z.string()),
});

export type TokenizeRequest = z.output<typeof tokenizeRequestSchema>;
export type DetokenizeRequest = z.output<typeof detokenizeRequestSchema>;

export interface TokenizeResponse {
  /** With `with_pieces`, llama-server's shape: a piece is its text, or its byte values when they are not valid UTF-8. */
  tokens: number[] | { id: number; piece: string | number[] }[];
}

export interface DetokenizeResponse {
  content: string;
}
