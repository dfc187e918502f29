// Wire fields every generating endpoint shares (OpenAI's sampling parameters and the llama-server
// extensions), snake_case as sent. Clients often send null for "not set": it reads as absent.
// Shapes are checked here; ranges are the resolvers' to check, so each rule lives in one place.
import { z } from "zod";
import { type RareFieldsOf, rareFields } from "./rareFields.js";

/** An optional field that also accepts null, read as absent. */
export function optional<Schema extends z.ZodType>(schema: Schema) {
  return schema.nullish().transform((value): z.output<Schema> | undefined => value ?? undefined);
}

/** A known parameter inferql cannot honour: any value other than absent/null is a 400 naming it. */
export function notSupported(reason: string) {
  return z
    .unknown()
    .refine((value) => value === null, reason)
    .optional();
}

/**
 * A known parameter inferql honours only at its default: that value (or absent/null) is accepted,
 * any other is a 400 naming it.
 */
function onlyDefault<Value extends string | number | boolean>(
  schema: z.ZodType<Value>,
  isDefault: (value: Value) => boolean,
  reason: string,
) {
  return optional(schema.refine(isDefault, reason));
}

export const streamOptionsSchema = z.object({ include_usage: optional(z.boolean()) });

export const generationRequestFields = {
  model: optional(z.string()),
  max_tokens: optional(z.number()),
  temperature: optional(z.number()),
  top_p: optional(z.number()),
  n: optional(z.number().refine((n) => n === 1, "Only n = 1 is supported: send one request per choice")),
  stop: optional(z.union([z.string(), z.array(z.string())])),
  seed: optional(z.number()),
  presence_penalty: optional(z.number()),
  frequency_penalty: optional(z.number()),
  logit_bias: optional(z.record(z.string(), z.number())),
  stream: optional(z.boolean()),
  stream_options: optional(streamOptionsSchema),
  /** An end-user id for abuse monitoring: accepted, with nothing to do. */
  user: optional(z.string()),
  // llama-server extensions
  top_k: optional(z.number()),
  min_p: optional(z.number()),
  repeat_penalty: optional(z.number()),
  /** llama-server's and vLLM's: never end on an end-of-generation token. */
  ignore_eos: optional(z.boolean()),
  grammar: optional(z.string()),
  cache_prompt: optional(z.boolean()),
  lora: optional(z.union([z.string(), z.array(z.object({ name: z.string(), scale: optional(z.number()) }))])),
};

/**
 * vLLM's sampling extensions, rare fields (see rareFields.ts): repetition_penalty is llama.cpp's
 * repeat penalty under vLLM's name (both divide a repeated token's positive logit); the others are
 * refused unless left at their default.
 */
export const samplingExtensions = rareFields({
  repetition_penalty: optional(z.number()),
  min_tokens: onlyDefault(z.number(), (count) => count === 0, "min_tokens is not supported"),
  stop_token_ids: onlyDefault(
    z.array(z.number()).transform((ids) => ids.length),
    (count) => count === 0,
    "stop_token_ids is not supported: use stop strings",
  ),
  include_stop_str_in_output: onlyDefault(
    z.boolean(),
    (include) => !include,
    "include_stop_str_in_output is not supported: the stop string is never part of the output",
  ),
  skip_special_tokens: onlyDefault(
    z.boolean(),
    (skip) => skip,
    "skip_special_tokens: false is not supported",
  ),
  use_beam_search: onlyDefault(z.boolean(), (beam) => !beam, "Beam search is not supported"),
  length_penalty: onlyDefault(z.number(), (penalty) => penalty === 1, "length_penalty is not supported"),
});

const generationRequestSchema = z.object(generationRequestFields);
export type GenerationRequest = z.output<typeof generationRequestSchema> &
  RareFieldsOf<typeof samplingExtensions>;
