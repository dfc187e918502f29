// POST /infill on the wire (llama-server's shape): the request schema (its answers: shared/llamaServerAnswer.ts).
import { z } from "zod";
import { generationRequestFields, optional } from "../shared/protocol.js";

export const infillRequestSchema = z.object({
  ...generationRequestFields,
  input_prefix: z.string(),
  input_suffix: z.string(),
  input_extra: optional(z.array(z.object({ filename: optional(z.string()), text: z.string() }))),
  /** The start of the middle, already written (after FIM_MID). */
  prompt: optional(z.string()),
  /** llama-server's name for max_tokens; negative: no limit. */
  n_predict: optional(z.number()),
  json_schema: optional(z.record(z.string(), z.unknown())),
});

export type InfillRequest = z.output<typeof infillRequestSchema>;
