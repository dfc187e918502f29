// POST /infill on the wire (llama-server's shape): the request schema and its /completion-style answers.
import { z } from "zod";
import { generationRequestFields, optional } from "../shared/protocol.js";
import type { WireTimings } from "../shared/responseFields.js";

export const infillRequestSchema = z.object({
  ...generationRequestFields,
  input_prefix: z.string(),
  input_suffix: z.string(),
  input_extra: optional(z.array(z.object({ filename: optional(z.string()), text: z.string() }))),
  /** The start of the middle, already written (after FIM_MID). */
  prompt: optional(z.string()),
  /** llama-server's name for max_tokens. */
  n_predict: optional(z.number()),
  json_schema: optional(z.record(z.string(), z.unknown())),
});

export type InfillRequest = z.output<typeof infillRequestSchema>;

/** llama-server's stop_type: an end-of-generation token, a stop word, a limit, or none (cancelled). */
export type WireStopType = "eos" | "word" | "limit" | "none";

/** A streamed piece of the middle. */
export interface InfillChunk {
  index: 0;
  content: string;
  tokens: number[];
  stop: false;
  tokens_evaluated: number;
}

/** The whole answer (streamed last, with empty content). */
export interface InfillResponse {
  index: 0;
  id: string;
  content: string;
  tokens: number[];
  stop: true;
  model: string;
  tokens_predicted: number;
  tokens_evaluated: number;
  tokens_cached: number;
  truncated: boolean;
  stop_type: WireStopType;
  stopping_word: string;
  timings: WireTimings;
}
