// The request and event types of the inference layer: what the scheduler takes and what it streams back.

export interface SamplingOptions {
  /** 0 means greedy decoding. Defaults to 0.8 as in llama-server. */
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  /** Same seed, same prompt, same settings: same output. */
  seed?: number;
  /** Multiplicative penalty on recently generated tokens (llama.cpp's repeat_penalty); 1 disables it. */
  repeatPenalty?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Token id → additive logit bias; -100 bans a token (OpenAI semantics). */
  logitBias?: ReadonlyMap<number, number>;
}

export type OutputConstraint =
  | { kind: "gbnf"; grammar: string; field: string }
  | { kind: "jsonSchema"; schema: JsonSchema; field: string }
  /** Any JSON object (OpenAI's json_object response format). */
  | { kind: "anyJson"; field: string };

/** A JSON Schema document, as free-form as the OpenAI API has it. */
export type JsonSchema = { [key: string]: unknown };

export type TemplateRole = "system" | "user" | "assistant";

/** One turn, already reduced to the roles every chat template knows. */
export interface TemplateMessage {
  role: TemplateRole;
  content: string;
}

export type PromptInput =
  | { kind: "chat"; messages: readonly TemplateMessage[] }
  | { kind: "text"; text: string };

export interface LoraSelection {
  name: string;
  scale: number;
}

/** The client request a generation was asked for by, as the transport names it (for logs). */
export interface RequestOrigin {
  requestId: string;
  transport: string;
}

export interface GenerationRequest {
  /** Unique id; `Scheduler.cancel(id)` aborts this generation. */
  id: string;
  model: string;
  prompt: PromptInput;
  /** Upper bound on generated tokens; undefined means "until the context is full". */
  maxTokens?: number;
  sampling: SamplingOptions;
  stop: readonly string[];
  constraint?: OutputConstraint;
  lora: readonly LoraSelection[];
  /** Reuse the KV cache of a slot that shares a prefix with this prompt. */
  cachePrompt: boolean;
  /** How many alternatives to report per token; undefined means no logprobs at all. */
  topLogprobs?: number;
  /** Who asked for it; reported in the scheduler's "received" event. */
  origin?: RequestOrigin;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  topLogprobs: { token: string; logprob: number; bytes: number[] }[];
}

export type EngineFinishReason = "stop" | "length" | "cancelled";

export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens whose KV state was reused from the slot's cache instead of evaluated. */
  cachedPromptTokens: number;
}

export interface GenerationTimings {
  /** Time spent queued before a slot was free. */
  queueMs: number;
  /** Time to evaluate the uncached prompt tokens and sample the first token. */
  promptMs: number;
  /** Time from the first to the last generated token. */
  generationMs: number;
  promptTokensPerSecond: number;
  generatedTokensPerSecond: number;
}

export type EngineEvent =
  | { type: "started"; slot: number; promptTokens: number; cachedPromptTokens: number }
  | { type: "text"; text: string; tokenCount: number; logprobs?: TokenLogprob[] }
  | {
      type: "finished";
      reason: EngineFinishReason;
      /** The stop string that ended generation, when one did. */
      stopSequence?: string;
      usage: GenerationUsage;
      timings: GenerationTimings;
    };
