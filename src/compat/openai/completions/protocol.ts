// POST /v1/completions on the wire: the request schema and the response and chunk shapes.
import { z } from "zod";
import { generationRequestFields, optional, samplingExtensions } from "../shared/protocol.js";
import { type RareFieldsOf, rareFields } from "../shared/rareFields.js";
import type { WireFinishReason, WireTimings, WireUsage } from "../shared/responseFields.js";
import { structuredOutputFields } from "../shared/structuredOutputs.js";

/**
 * One prompt, as text or as token ids (a list holding one of either too, as OpenAI's batch shape);
 * several prompts in one request are refused.
 */
export const promptSchema = z
  .union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))])
  .transform((prompt, context): string | number[] => {
    if (typeof prompt === "string") return prompt;
    if (prompt.length > 0 && typeof prompt[0] === "number") return prompt as number[];
    if (prompt.length === 1) return prompt[0] as string | number[];
    context.addIssue({ code: "custom", message: "Exactly one prompt per request is supported" });
    return z.NEVER;
  });

export const completionRequestSchema = z.object({
  ...generationRequestFields,
  prompt: promptSchema,
  logprobs: optional(z.number()),
  echo: optional(z.boolean().refine((echo) => !echo, "echo is not supported")),
  /** OpenAI's insert mode: the text after the completion; the answer is the middle (infill, FIM models). */
  suffix: optional(z.string()),
  best_of: optional(z.number().refine((bestOf) => bestOf === 1, "Only best_of = 1 is supported")),
  /** llama-server extension: a JSON schema the output must follow. */
  json_schema: optional(z.record(z.string(), z.unknown())),
});

/** vLLM's sampling extensions and structured outputs: checked only when a request sends one. */
export const completionRareFields = rareFields({
  ...samplingExtensions.schema.shape,
  ...structuredOutputFields,
});

export type CompletionRequest = z.output<typeof completionRequestSchema> &
  RareFieldsOf<typeof completionRareFields>;

/** The legacy completions logprobs: parallel arrays, one entry per generated token. */
export interface WireCompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Record<string, number>[];
  /** Character offset of each token, counted from the start of the prompt. */
  text_offset: number[];
}

export interface CompletionChoice {
  index: number;
  text: string;
  logprobs: WireCompletionLogprobs | null;
  finish_reason: WireFinishReason | null;
}

export interface CompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  system_fingerprint: string;
  choices: CompletionChoice[];
  usage?: WireUsage;
  timings?: WireTimings;
}
