// Wire fields every generating endpoint shares (OpenAI's sampling parameters and the llama-server
// extensions), snake_case as sent. Clients often send null for "not set": it reads as absent.
// Shapes are checked here; ranges are the resolvers' to check, so each rule lives in one place.
import { z } from "zod";

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

const generationRequestSchema = z.object(generationRequestFields);
export type GenerationRequest = z.output<typeof generationRequestSchema>;
