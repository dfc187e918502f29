// Input fields every generating operation shares (sampling, limits, stop, LoRA, cache), and
// their translation into the inference layer's request.
import { z } from "zod";
import type { LoraSelection, SamplingOptions } from "../inference/types.js";

export const loraSelectionSchema = z
  .union([
    z.string().min(1),
    z
      .array(z.strictObject({ name: z.string().min(1), scale: z.number().min(-10).max(10).default(1) }))
      .max(8),
  ])
  .describe("A LoRA adapter name (scale 1), or a list of adapters with scales");

export const generationFields = {
  model: z.string().min(1).optional().describe("Model id; defaults to the first model served"),
  maxTokens: z.number().int().min(1).optional().describe("Upper bound on generated tokens"),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).optional(),
  minP: z.number().min(0).max(1).optional(),
  seed: z
    .number()
    .int()
    .optional()
    .describe("Same seed, prompt and settings: same output; without one, a random seed"),
  repeatPenalty: z.number().min(0).max(10).optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  logitBias: z
    .record(z.string().regex(/^\d+$/, "keys must be token ids"), z.number().min(-100).max(100))
    .optional()
    .describe("Token id → bias added to its logit; -100 bans the token"),
  stop: z
    .union([z.string().min(1), z.array(z.string().min(1)).max(16)])
    .optional()
    .describe("Generation stops before any of these strings"),
  ignoreEos: z
    .boolean()
    .default(false)
    .describe("Never end on an end-of-generation token: generate up to maxTokens or a stop sequence"),
  lora: loraSelectionSchema.optional(),
  cachePrompt: z.boolean().default(true).describe("Reuse a slot's KV cache for a shared prompt prefix"),
};

const generationFieldsSchema = z.strictObject(generationFields);
export type GenerationFieldsInput = z.output<typeof generationFieldsSchema>;

/** The request's sampling options, for the inference layer. */
export function toSamplingOptions(input: GenerationFieldsInput): SamplingOptions {
  return {
    temperature: input.temperature,
    topP: input.topP,
    topK: input.topK,
    minP: input.minP,
    // llama.cpp takes an unsigned 32-bit seed.
    seed: input.seed === undefined ? undefined : input.seed >>> 0,
    repeatPenalty: input.repeatPenalty,
    presencePenalty: input.presencePenalty,
    frequencyPenalty: input.frequencyPenalty,
    logitBias: input.logitBias
      ? new Map(Object.entries(input.logitBias).map(([token, bias]) => [Number(token), bias]))
      : undefined,
    ignoreEos: input.ignoreEos,
  };
}

export function toStopList(stop: string | string[] | undefined): string[] {
  if (stop === undefined) return [];
  return typeof stop === "string" ? [stop] : stop;
}

export function toLoraSelection(lora: GenerationFieldsInput["lora"]): LoraSelection[] {
  if (lora === undefined) return [];
  return typeof lora === "string" ? [{ name: lora, scale: 1 }] : lora;
}
