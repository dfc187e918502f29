// Ollama's native API on the wire (/api/chat, /api/generate, /api/embed, /api/tags…): the request
// schemas and the answer shapes, as Ollama's own server reads and writes them and the `ollama` client
// library types them. Objects are not strict: Ollama ignores fields it does not know, and so does this.
import { z } from "zod";

/**
 * Ollama's per-request model options. Those that shape sampling map onto the resolvers' fields
 * (options.ts); the ones that configure loading (num_ctx, num_gpu, num_thread…) are listed so that
 * options.ts can tell them apart: the server's own flags set those.
 */
export const optionsSchema = z.object({
  num_predict: z.number().int().optional(),
  temperature: z.number().optional(),
  top_k: z.number().int().optional(),
  top_p: z.number().optional(),
  min_p: z.number().optional(),
  seed: z.number().int().optional(),
  repeat_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  typical_p: z.number().optional(),
  tfs_z: z.number().optional(),
  mirostat: z.number().int().optional(),
  mirostat_tau: z.number().optional(),
  mirostat_eta: z.number().optional(),
});

export type Options = z.output<typeof optionsSchema>;

/** `think`: whether a reasoning model reasons, or (gpt-oss) how much. */
const thinkSchema = z.union([z.boolean(), z.enum(["low", "medium", "high"])]);

/** `format`: "json" for any JSON object, or a JSON schema the answer must follow ("" means none). */
const formatSchema = z.union([z.enum(["json", ""]), z.record(z.string(), z.unknown())], {
  error: 'expected "json" or a JSON schema object',
});

/** Base64 images for vision models: accepted by the schema so that the answer can say why they are refused. */
const imagesSchema = z.array(z.string()).optional();

const toolCallSchema = z.object({
  id: z.string().optional(),
  function: z.object({
    index: z.number().int().optional(),
    name: z.string().min(1),
    // Ollama sends an object; some clients send the JSON text, as OpenAI's API carries it.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
  }),
});

export const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().default(""),
  thinking: z.string().optional(),
  images: imagesSchema,
  tool_calls: z.array(toolCallSchema).optional(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
});

const toolSchema = z.object({
  type: z.string().default("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const requestFields = {
  model: z.string().min(1, "model is required"),
  format: formatSchema.optional(),
  options: optionsSchema.default({}),
  /**
   * Not Ollama's (which reads them from `options` only): the AI SDK's community Ollama provider sends
   * its temperature, topP and maxOutputTokens at the top level. They apply where `options` is silent.
   */
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_output_tokens: z.number().int().optional(),
  // Ollama streams unless told not to.
  stream: z.boolean().default(true),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  think: thinkSchema.optional(),
  logprobs: z.boolean().default(false),
  top_logprobs: z.number().int().optional(),
};

export const chatRequestSchema = z.object({
  ...requestFields,
  messages: z.array(messageSchema).default([]),
  tools: z.array(toolSchema).optional(),
});

export const generateRequestSchema = z.object({
  ...requestFields,
  prompt: z.string().default(""),
  suffix: z.string().optional(),
  system: z.string().optional(),
  template: z.string().optional(),
  raw: z.boolean().default(false),
  images: imagesSchema,
  context: z.array(z.number()).optional(),
});

export const embedRequestSchema = z.object({
  model: z.string().min(1, "model is required"),
  input: z.union([z.string(), z.array(z.string())]),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  options: optionsSchema.optional(),
});

/** The legacy single-text embedding (`/api/embeddings`): not normalized, as Ollama's is not. */
export const embeddingsRequestSchema = z.object({
  model: z.string().min(1, "model is required"),
  prompt: z.string(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  options: optionsSchema.optional(),
});

/** `/api/show`: clients before 0.5 sent `name`. */
export const showRequestSchema = z
  .object({ model: z.string().min(1).optional(), name: z.string().min(1).optional() })
  .refine((request) => request.model !== undefined || request.name !== undefined, {
    message: "model is required",
    path: ["model"],
  });

export type ChatRequest = z.output<typeof chatRequestSchema>;
export type GenerateRequest = z.output<typeof generateRequestSchema>;
export type WireMessage = z.output<typeof messageSchema>;
export type Think = z.output<typeof thinkSchema>;
export type Format = z.output<typeof formatSchema>;

export interface WireTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface WireLogprob extends WireTokenLogprob {
  top_logprobs: WireTokenLogprob[];
}

export interface WireToolCall {
  id: string;
  function: { index: number; name: string; arguments: Record<string, unknown> };
}

export interface AnswerMessage {
  role: "assistant";
  content: string;
  thinking?: string;
  tool_calls?: WireToolCall[];
}

/**
 * Why an answer ended: Ollama's reasons, "load" for a request with nothing to generate (Ollama's
 * preload; its "unload" for `keep_alive: 0` is never sent: the served models stay loaded).
 */
export type DoneReason = "stop" | "length" | "load";

/** The counts and durations (nanoseconds) of the last object of an answer. */
export interface AnswerStats {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

interface AnswerHead {
  model: string;
  /** ISO 8601. */
  created_at: string;
}

export type ChatChunk = AnswerHead & { message: AnswerMessage; done: false; logprobs?: WireLogprob[] };
export type ChatDone = AnswerHead &
  Partial<AnswerStats> & {
    message: AnswerMessage;
    done: true;
    done_reason: DoneReason;
    logprobs?: WireLogprob[];
  };

export type GenerateChunk = AnswerHead & {
  response: string;
  thinking?: string;
  done: false;
  logprobs?: WireLogprob[];
};
export type GenerateDone = AnswerHead &
  Partial<AnswerStats> & {
    response: string;
    thinking?: string;
    done: true;
    done_reason: DoneReason;
    logprobs?: WireLogprob[];
  };

export interface ErrorBody {
  error: string;
}

export interface ModelDetails {
  parent_model: string;
  format: "gguf";
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

export interface WireModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: ModelDetails;
}

export interface RunningModel extends WireModel {
  expires_at: string;
  size_vram: number;
  context_length: number;
}

export interface ShowResponse {
  modelfile: string;
  parameters: string;
  template: string;
  details: ModelDetails;
  model_info: Record<string, unknown>;
  capabilities: string[];
  modified_at: string;
}
