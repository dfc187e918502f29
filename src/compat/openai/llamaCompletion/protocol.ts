// POST /completion on the wire (llama-server's own, not OpenAI's): the request schema (its answers:
// shared/llamaServerAnswer.ts).
import { z } from "zod";
import { promptSchema } from "../completions/protocol.js";
import { generationRequestFields, optional } from "../shared/protocol.js";

export const llamaCompletionRequestSchema = z.object({
  ...generationRequestFields,
  prompt: promptSchema,
  /** llama-server's name for max_tokens; negative (its default, -1): no limit. */
  n_predict: optional(z.number()),
  json_schema: optional(z.record(z.string(), z.unknown())),
});

export type LlamaCompletionRequest = z.output<typeof llamaCompletionRequestSchema>;
