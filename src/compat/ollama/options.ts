// Ollama's request fields that every generating endpoint shares (options, format, think, logprobs) as
// the resolvers' generation fields, and the wire names of those fields for error messages.
import type { ChatCompletionInput } from "../../resolvers/index.js";
import { OpenAiError } from "../openai/errors/openAiError.js";
import type { ParamRenames } from "../openai/errors/wireParam.js";
import { fromNPredict } from "../openai/shared/llamaServerAnswer.js";
import type { GenerationInput } from "../openai/shared/toGenerationInput.js";
import type { Format, Options, Think } from "./protocol.js";

/** What Ollama's options set of the fields every generating resolver shares. */
type GenerationFields = Omit<GenerationInput, "model" | "logitBias" | "ignoreEos" | "lora" | "cachePrompt">;

/**
 * Sampling options llama.cpp's server chain does not run here, by the value that leaves sampling as
 * it is: a request that sets them otherwise is refused rather than answered as if it had not.
 */
const NEUTRAL_ONLY: Partial<Record<keyof Options, number>> = { typical_p: 1, tfs_z: 1, mirostat: 0 };

/** The fields a request may set beside `options` (see protocol.ts). */
interface TopLevelSampling {
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
}

/** The sampling options; those that configure loading (num_ctx, num_gpu…) are the server's flags'. */
export function toGenerationFields(options: Options, topLevel: TopLevelSampling = {}): GenerationFields {
  for (const [name, neutral] of Object.entries(NEUTRAL_ONLY)) {
    const value = options[name as keyof Options];
    if (value !== undefined && value !== neutral)
      throw OpenAiError.invalidRequest(
        `options.${name}`,
        `Invalid 'options.${name}': ${name} sampling is not supported (leave it unset or ${neutral})`,
      );
  }
  return {
    // Ollama's -1 (no limit) and -2 (fill the context) are llama-server's negative n_predict.
    maxTokens: fromNPredict(options.num_predict, topLevel.max_output_tokens),
    temperature: options.temperature ?? topLevel.temperature,
    topP: options.top_p ?? topLevel.top_p,
    topK: options.top_k,
    minP: options.min_p,
    seed: options.seed,
    repeatPenalty: options.repeat_penalty,
    presencePenalty: options.presence_penalty,
    frequencyPenalty: options.frequency_penalty,
    stop:
      options.stop === "" || (Array.isArray(options.stop) && options.stop.length === 0)
        ? undefined
        : options.stop,
  };
}

/** The resolver fields toGenerationFields and the translations fill, by the names Ollama's clients send. */
export const ollamaParamRenames: ParamRenames = {
  maxTokens: "options.num_predict",
  temperature: "options.temperature",
  topP: "options.top_p",
  topK: "options.top_k",
  minP: "options.min_p",
  seed: "options.seed",
  repeatPenalty: "options.repeat_penalty",
  presencePenalty: "options.presence_penalty",
  frequencyPenalty: "options.frequency_penalty",
  stop: "options.stop",
  responseFormat: "format",
  jsonSchema: "format",
  reasoningEffort: "think",
  inputPrefix: "prompt",
  inputSuffix: "suffix",
};

/** `format` as the chat resolver's response format. */
export function toResponseFormat(format: Format | undefined): ChatCompletionInput["responseFormat"] {
  if (format === undefined || format === "") return undefined;
  if (format === "json") return { type: "json_object" };
  return { type: "json_schema", jsonSchema: { schema: format } };
}

/** `format` as the completion resolver's JSON schema ("json": any object). */
export function toJsonSchema(format: Format | undefined): Record<string, unknown> | undefined {
  if (format === undefined || format === "") return undefined;
  return format === "json" ? { type: "object" } : format;
}

/**
 * `think: false` turns reasoning off, a level sets how much (the resolver tells each family's template);
 * unset or true: the model reasons as its template does by default, and its reasoning comes apart
 * from the answer, as `thinking`.
 */
export function toReasoningEffort(think: Think | undefined): ChatCompletionInput["reasoningEffort"] {
  if (think === false) return "none";
  return typeof think === "string" ? think : undefined;
}

/** `logprobs` / `top_logprobs` as the chat resolver's. */
export function toLogprobFields(request: {
  logprobs: boolean;
  top_logprobs?: number;
}): Pick<ChatCompletionInput, "logprobs" | "topLogprobs"> {
  return { logprobs: request.logprobs, topLogprobs: request.logprobs ? request.top_logprobs : undefined };
}
