// The request and event types of the inference layer: what the scheduler takes and what it streams back.

/**
 * What a request that leaves them unset samples with: llama-server's defaults (llama.cpp's
 * common_params_sampling). node-llama-cpp's differ (its min_p is 0, its temperature 0).
 */
export const LLAMA_SERVER_SAMPLING = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05 } as const;

export interface SamplingOptions {
  /** 0 means greedy decoding. Unset fields sample with LLAMA_SERVER_SAMPLING. */
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
  /**
   * End-of-generation tokens are never sampled (llama-server's and vLLM's `ignore_eos`): generation
   * runs to its token limit or a stop sequence. Benchmarks use it to fix each answer's length.
   */
  ignoreEos?: boolean;
}

export type OutputConstraint =
  | { kind: "gbnf"; grammar: string; field: string }
  | { kind: "jsonSchema"; schema: JsonSchema; field: string }
  /** Any JSON object (OpenAI's json_object response format). */
  | { kind: "anyJson"; field: string };

/** A JSON Schema document, as free-form as the OpenAI API has it. */
export type JsonSchema = { [key: string]: unknown };

/** A tool the model may call: its name, what it does and the JSON schema of its arguments. */
export interface ChatTool {
  name: string;
  description?: string;
  parameters?: JsonSchema;
}

/** A call the model made (or made earlier in the conversation). */
export interface ChatToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, as the model wrote them. */
  arguments: string;
}

/** One turn of a conversation, with tool traffic and reasoning kept as structure for the chat template. */
export type ChatPromptMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; reasoning?: string; toolCalls: readonly ChatToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface ChatPrompt {
  kind: "chat";
  messages: readonly ChatPromptMessage[];
  /** Tools offered to the model, rendered in its own format. */
  tools: readonly ChatTool[];
  /** Extra variables for a Jinja chat template (e.g. `enable_thinking`). */
  templateVariables?: Readonly<Record<string, unknown>>;
}

/** A file of the repository an infill prompt shows the model before the file being edited. */
export interface InfillFile {
  filename: string;
  text: string;
}

/**
 * Fill-in-the-middle on a model with FIM tokens, laid out as llama-server's /infill does (its README):
 * `[<FIM_REP>myproject\n] [<FIM_SEP>filename\ntext]… [<FIM_SEP>filename\n] <FIM_PRE>prefix<FIM_SUF>suffix<FIM_MID>prompt`.
 */
export interface InfillPrompt {
  kind: "infill";
  prefix: string;
  suffix: string;
  /** Other files of the repository, shown first (llama-server's `input_extra`). */
  extra: readonly InfillFile[];
  /** The start of the middle, already written: generation continues it. */
  prompt: string;
}

export type PromptInput =
  | ChatPrompt
  | InfillPrompt
  | { kind: "text"; text: string }
  /** Token ids of the model's vocabulary, evaluated as they are (llama-server's and vLLM's token prompts). */
  | { kind: "tokens"; tokens: readonly number[] };

/** How a chat generation reads the model's output (only for chat prompts). */
export interface ChatOutputOptions {
  /**
   * "none": tool syntax is plain text. "auto": free text until the model's call prefix, then the
   * call syntax is enforced. "required": the output is one or more calls to `toolNames`.
   */
  toolCalls: "none" | "auto" | "required";
  /** The tools the output may call (all offered tools, or the one a named tool choice picks). */
  toolNames: readonly string[];
  parallelToolCalls: boolean;
  /** "separate": reasoning is reported apart from the content; "inline": left in the content. */
  reasoning: "separate" | "inline";
  /** Reasoning tokens after which the model is made to close its reasoning. */
  reasoningBudget?: number;
}

export interface LoraSelection {
  name: string;
  scale: number;
}

/** The client request a generation was asked for by, as the transport names it (for logs). */
export interface RequestOrigin {
  requestId: string;
  transport: string;
  /** The API key it came with; absent when the server has no API keys (one user, who sees everything). */
  caller?: Caller;
}

/** An API key as the scheduler sees it: a non-secret id, never the key. */
export interface Caller {
  /** A short digest of the key (`key:<hex>`), the same for every request with that key. */
  keyId: string;
  /** An admin key sees and cancels every generation; any other key only those it started. */
  admin: boolean;
}

export interface GenerationRequest {
  /** Unique id; `Scheduler.cancel(id)` aborts this generation. */
  id: string;
  /**
   * Generations asked for together (a chat completion's `n` choices) share it, and
   * `Scheduler.cancel(groupId)` aborts them all; defaults to `id`.
   */
  groupId?: string;
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
  /** For chat prompts: how to read reasoning and tool calls out of the output. */
  chatOutput?: ChatOutputOptions;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  topLogprobs: { token: string; logprob: number; bytes: number[] }[];
}

export type OutputChannel = "content" | "reasoning";

/**
 * "length": maxTokens or the context size was reached; "timeout": the request's deadline
 * (`requestTimeoutMs`, queueing included) passed while it was generating or evaluating its prompt.
 */
export type EngineFinishReason = "stop" | "length" | "timeout" | "cancelled";

export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  /**
   * Of completionTokens, those generated inside the model's reasoning (between its markers, which
   * are not counted; from the first token when the prompt opened it), as vLLM counts them.
   */
  reasoningTokens: number;
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
  /** Answer text ("content") or the model's reasoning ("reasoning"). */
  | { type: "text"; channel: OutputChannel; text: string; tokenCount: number; logprobs?: TokenLogprob[] }
  /** Part of a tool call: its name once (on the first part), then its arguments as they stream. */
  | { type: "toolCall"; index: number; name?: string; argumentsDelta: string; tokenCount: number }
  | {
      type: "finished";
      reason: EngineFinishReason;
      /** The stop string that ended generation, when one did. */
      stopSequence?: string;
      /** The complete tool calls (a call cut off by a limit is not one). */
      toolCalls: readonly { name: string; arguments: string }[];
      /** The text of a tool call that a limit cut off, when one did. */
      truncatedToolCall?: string;
      usage: GenerationUsage;
      timings: GenerationTimings;
    };
