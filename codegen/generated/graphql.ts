/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A chat completion request. */
export type ChatCompletionInput = {
  /** Reuse a slot's KV cache for a shared prompt prefix. Default true; false evaluates the whole prompt. */
  cachePrompt?: boolean | null | undefined;
  /** Extra variables for the model's Jinja chat template, e.g. `{enable_thinking: false}`. */
  chatTemplateKwargs?: unknown;
  /** The output is exactly one of these strings (1 to 256; vLLM's structured outputs `choice`). */
  choice?: Array<string> | null | undefined;
  /** -2 to 2: penalize tokens by how often they appeared. */
  frequencyPenalty?: number | null | undefined;
  /** A GBNF grammar the output must follow. Not combinable with `responseFormat`, `regex` or `choice`. */
  grammar?: string | null | undefined;
  /** Never end on an end-of-generation token: generate up to maxTokens or a stop sequence (llama-server's ignore_eos). Default false. */
  ignoreEos?: boolean | null | undefined;
  /** Per-token logit biases. */
  logitBias?: Array<LogitBiasInput> | null | undefined;
  /** Report each generated token's log-probability. Default false. */
  logprobs?: boolean | null | undefined;
  /** LoRA adapters to apply (at most 8). */
  lora?: Array<LoraSelectionInput> | null | undefined;
  /** Upper bound on generated tokens; without it, generation runs until it stops or the context is full. */
  maxTokens?: number | null | undefined;
  /** The conversation so far; rendered with the model's own chat template. */
  messages: Array<ChatMessageInput>;
  /** Drop tokens less likely than this fraction of the most likely one (0 to 1). Default 0.05. */
  minP?: number | null | undefined;
  /** Model id; defaults to the first model served. */
  model?: string | number | null | undefined;
  /** How many choices to generate for the prompt (1 to 8, default 1): independent generations, each on its own slot (beyond the free slots they queue). With a `seed`, choice i samples with seed + i. */
  n?: number | null | undefined;
  /** With REQUIRED, whether the model may make several calls. Default true. */
  parallelToolCalls?: boolean | null | undefined;
  /** -2 to 2: penalize tokens that already appeared. */
  presencePenalty?: number | null | undefined;
  /** Reasoning tokens after which the model is made to end its reasoning and answer. */
  reasoningBudget?: number | null | undefined;
  /** How much a reasoning model reasons, where its template takes it: `none` turns reasoning off (Qwen3's `enable_thinking`), a level (`low`, `medium`, `high`) is gpt-oss's `reasoning_effort`. */
  reasoningEffort?: string | null | undefined;
  /** Default SEPARATE. */
  reasoningFormat?: ReasoningFormat | null | undefined;
  /** A regular expression the whole output must match (vLLM's structured outputs `regex`): classes, escapes, `.`, groups, alternation and quantifiers; lookaround, backreferences and `\b` are refused. */
  regex?: string | null | undefined;
  /** Penalty on recently generated tokens, 0 to 10; 1 disables it. */
  repeatPenalty?: number | null | undefined;
  /** Constrain the answer to JSON. Not combinable with `grammar`, `regex` or `choice`. */
  responseFormat?: ResponseFormatInput | null | undefined;
  /** Same seed, prompt and settings: same output. Without one, each generation samples with a random seed. */
  seed?: number | null | undefined;
  /** Generation stops before any of these strings (at most 16). */
  stop?: Array<string> | null | undefined;
  /** 0 to 2; 0 always picks the most likely token. Default 0.8. */
  temperature?: number | null | undefined;
  /** Default: AUTO with tools, NONE without. */
  toolChoice?: ToolChoiceInput | null | undefined;
  /** Tools the model may call (at most 128). */
  tools?: Array<ToolInput> | null | undefined;
  /** Keep only this many most likely tokens; 0 keeps all. Default 40. */
  topK?: number | null | undefined;
  /** With `logprobs`, also report this many alternatives per token (0 to 20). */
  topLogprobs?: number | null | undefined;
  /** Nucleus sampling: keep the most likely tokens up to this total probability (0 to 1). Default 0.95. */
  topP?: number | null | undefined;
};

/** One message of the conversation. */
export type ChatMessageInput = {
  /** The text. Required for every role but ASSISTANT, whose message may only call tools. */
  content?: string | null | undefined;
  /** ASSISTANT only: the reasoning that came before its answer. */
  reasoning?: string | null | undefined;
  /** Who speaks. */
  role: ChatRole;
  /** TOOL only: the id of the call this message answers. */
  toolCallId?: string | null | undefined;
  /** ASSISTANT only: the tools it called. */
  toolCalls?: Array<ToolCallInput> | null | undefined;
};

/** Who speaks in a chat message. */
export type ChatRole =
  /** The model: earlier answers, and the tool calls it made. */
  | 'ASSISTANT'
  /** Instructions from the application (treated as system). */
  | 'DEVELOPER'
  /** Instructions that frame the conversation. */
  | 'SYSTEM'
  /** A tool's result, answering the assistant's call `toolCallId`. */
  | 'TOOL'
  /** The user. */
  | 'USER';

/** A text completion request: the prompt is continued as is, with no chat template. */
export type CompletionInput = {
  /** Reuse a slot's KV cache for a shared prompt prefix. Default true; false evaluates the whole prompt. */
  cachePrompt?: boolean | null | undefined;
  /** The output is exactly one of these strings (1 to 256; vLLM's structured outputs `choice`). */
  choice?: Array<string> | null | undefined;
  /** -2 to 2: penalize tokens by how often they appeared. */
  frequencyPenalty?: number | null | undefined;
  /** A GBNF grammar the output must follow. Not combinable with `jsonSchema`, `regex` or `choice`. */
  grammar?: string | null | undefined;
  /** Never end on an end-of-generation token: generate up to maxTokens or a stop sequence (llama-server's ignore_eos). Default false. */
  ignoreEos?: boolean | null | undefined;
  /** A JSON schema the output must follow. */
  jsonSchema?: unknown;
  /** Per-token logit biases. */
  logitBias?: Array<LogitBiasInput> | null | undefined;
  /** Report each token's log-probability with this many alternatives (0 to 20). */
  logprobs?: number | null | undefined;
  /** LoRA adapters to apply (at most 8). */
  lora?: Array<LoraSelectionInput> | null | undefined;
  /** Upper bound on generated tokens; without it, generation runs until it stops or the context is full. */
  maxTokens?: number | null | undefined;
  /** Drop tokens less likely than this fraction of the most likely one (0 to 1). Default 0.05. */
  minP?: number | null | undefined;
  /** Model id; defaults to the first model served. */
  model?: string | number | null | undefined;
  /** -2 to 2: penalize tokens that already appeared. */
  presencePenalty?: number | null | undefined;
  /** The text to continue. */
  prompt: string;
  /** A regular expression the whole output must match (vLLM's structured outputs `regex`): classes, escapes, `.`, groups, alternation and quantifiers; lookaround, backreferences and `\b` are refused. */
  regex?: string | null | undefined;
  /** Penalty on recently generated tokens, 0 to 10; 1 disables it. */
  repeatPenalty?: number | null | undefined;
  /** Same seed, prompt and settings: same output. Without one, each generation samples with a random seed. */
  seed?: number | null | undefined;
  /** Generation stops before any of these strings (at most 16). */
  stop?: Array<string> | null | undefined;
  /** 0 to 2; 0 always picks the most likely token. Default 0.8. */
  temperature?: number | null | undefined;
  /** Keep only this many most likely tokens; 0 keeps all. Default 40. */
  topK?: number | null | undefined;
  /** Nucleus sampling: keep the most likely tokens up to this total probability (0 to 1). Default 0.95. */
  topP?: number | null | undefined;
};

/** Texts to embed. */
export type EmbeddingsInput = {
  /** Model id; defaults to the first model served. */
  model?: string | number | null | undefined;
  /** 1 to 256 non-empty texts. */
  texts: Array<string>;
};

/** Why a generation ended. */
export type FinishReason =
  /** The client or `cancelGeneration` stopped it. */
  | 'CANCELLED'
  /** The generation failed after it had started. */
  | 'ERROR'
  /** `maxTokens` (or the context size) was reached. */
  | 'LENGTH'
  /** The model ended its answer, or a stop sequence matched. */
  | 'STOP'
  /** The server's request timeout (`--request-timeout`, time spent queued included) ended the generation; the output is cut off. */
  | 'TIMEOUT'
  /** The model called tools; see `toolCalls`. */
  | 'TOOL_CALLS';

/** The function an assistant message called. */
export type FunctionCallInput = {
  /** The arguments, as a JSON text. */
  arguments: string;
  /** The tool's name. */
  name: string;
};

/** A function the model may call. */
export type FunctionDefinitionInput = {
  /** What it does, for the model. */
  description?: string | null | undefined;
  /** 1-64 letters, digits, _ or -. */
  name: string;
  /** JSON schema of the arguments object. Enums and booleans constrain small models well. */
  parameters?: unknown;
};

/** The JSON schema the answer must follow. */
export type JsonSchemaFormatInput = {
  /** A name for the schema. */
  name?: string | null | undefined;
  /** The JSON schema (an object). */
  schema: unknown;
  /** Accepted for OpenAI compatibility; the schema is always enforced. */
  strict?: boolean | null | undefined;
};

/** A bias added to one token's logit before sampling. */
export type LogitBiasInput = {
  /** -100 to 100; -100 bans the token. */
  bias: number;
  /** The token id (see `tokenize`). */
  token: number;
};

/** A LoRA adapter to apply for this generation (see `Model.loraAdapters`). */
export type LoraSelectionInput = {
  /** The adapter's name. */
  name: string;
  /** How strongly it applies, -10 to 10; default 1. */
  scale?: number | null | undefined;
};

/** Where a reasoning model's thinking goes. */
export type ReasoningFormat =
  /** Left in the answer's text, markers included. */
  | 'INLINE'
  /** Reported apart from the answer: ReasoningDelta events and `reasoning` (the default). */
  | 'SEPARATE';

/** Constrains the answer to JSON. */
export type ResponseFormatInput = {
  /** Required with JSON_SCHEMA. */
  jsonSchema?: JsonSchemaFormatInput | null | undefined;
  /** Text, any JSON object, or a schema. */
  type: ResponseFormatType;
};

/** The form the answer must take. */
export type ResponseFormatType =
  /** Any JSON object. */
  | 'JSON_OBJECT'
  /** JSON that follows `jsonSchema.schema`. */
  | 'JSON_SCHEMA'
  /** Free text (the default). */
  | 'TEXT';

/** Whether the models are ready to serve. */
export type ServerStatus =
  /** Loading a model failed; see the server log. */
  | 'FAILED'
  /** Models are still loading; generations fail with MODEL_NOT_READY. */
  | 'LOADING'
  /** Every model is loaded. */
  | 'READY';

/** A tool call an earlier assistant message made. */
export type ToolCallInput = {
  /** What was called, with which arguments. */
  function: FunctionCallInput;
  /** The call's id; the tool message answering it repeats it. */
  id: string | number;
};

/** Names the one tool the model must call. */
export type ToolChoiceFunctionInput = {
  /** The tool's name, as in `tools`. */
  name: string;
};

/** How the model uses the tools: give exactly one of `mode` or `function`. */
export type ToolChoiceInput =
  {   /** Call this tool, exactly once; the output is constrained to that call. */
  function: ToolChoiceFunctionInput; mode?: never; }
  |  { function?: never;   /** None, auto or required. */
  mode: ToolChoiceMode; };

/** Whether the model may, must or must not call tools. */
export type ToolChoiceMode =
  /** Answer in text or call tools (the default when tools are given). */
  | 'AUTO'
  /** Never call tools; answer in text. */
  | 'NONE'
  /** Call one or more of the tools; the output is constrained to calls. */
  | 'REQUIRED';

/** A tool the model may call (functions are the only kind). */
export type ToolInput = {
  /** The function. */
  function: FunctionDefinitionInput;
};

export type UsageFieldsFragment = { promptTokens: number, completionTokens: number, totalTokens: number, cachedPromptTokens: number };

export type TimingsFieldsFragment = { queueMs: number, promptMs: number, generationMs: number, generatedTokensPerSecond: number };

export type ChatStreamSubscriptionVariables = Exact<{
  input: ChatCompletionInput;
}>;


export type ChatStreamSubscription = { chatCompletion:
    | { __typename: 'ContentDelta', id: string, content: string }
    | { __typename: 'GenerationFinished', id: string, finishReason: FinishReason, fullContent: string | null, fullReasoning: string | null, stopSequence: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }>, usage: { promptTokens: number, completionTokens: number, totalTokens: number, cachedPromptTokens: number }, timings: { queueMs: number, promptMs: number, generationMs: number, generatedTokensPerSecond: number } }
    | { __typename: 'GenerationStarted', id: string, model: string, createdAt: string, promptTokens: number, cachedPromptTokens: number }
    | { __typename: 'ReasoningDelta', id: string, reasoning: string }
    | { __typename: 'ToolCallDelta', id: string, index: number, callId: string | null, name: string | null, argumentsDelta: string }
   };

export type CreateChatCompletionMutationVariables = Exact<{
  input: ChatCompletionInput;
}>;


export type CreateChatCompletionMutation = { createChatCompletion: { id: string, model: string, createdAt: string, content: string | null, reasoning: string | null, finishReason: FinishReason, toolCalls: Array<{ id: string, name: string, arguments: string }>, usage: { promptTokens: number, completionTokens: number, totalTokens: number, cachedPromptTokens: number }, timings: { queueMs: number, promptMs: number, generationMs: number, generatedTokensPerSecond: number } } };

export type CancelGenerationMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelGenerationMutation = { cancelGeneration: boolean };

export type CompletionStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type CompletionStreamSubscription = { completion:
    | { __typename: 'CompletionFinished', id: string, finishReason: FinishReason, text: string, usage: { promptTokens: number, completionTokens: number, totalTokens: number, cachedPromptTokens: number } }
    | { __typename: 'GenerationStarted', id: string, model: string, promptTokens: number }
    | { __typename: 'TextDelta', id: string, text: string }
   };

export type CreateCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type CreateCompletionMutation = { createCompletion: { id: string, text: string, finishReason: FinishReason, usage: { promptTokens: number, completionTokens: number, totalTokens: number, cachedPromptTokens: number }, logprobs: Array<{ token: string, logprob: number, topLogprobs: Array<{ token: string, logprob: number }> }> | null } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ id: string, contextSize: number, trainContextSize: number, chatTemplate: string, embeddingSize: number, sizeBytes: number, loraAdapters: Array<{ name: string }> }> };

export type HealthQueryVariables = Exact<{ [key: string]: never; }>;


export type HealthQuery = { health: { status: ServerStatus, models: Array<string>, busySlots: number, queued: number } };

export type TokenizeQueryVariables = Exact<{
  text: string;
  model?: string | number | null | undefined;
  addSpecialTokens?: boolean | null | undefined;
}>;


export type TokenizeQuery = { tokenize: { model: string, count: number, tokens: Array<{ id: number, piece: string }> } };

export type DetokenizeQueryVariables = Exact<{
  tokens: Array<number> | number;
  model?: string | number | null | undefined;
}>;


export type DetokenizeQuery = { detokenize: { model: string, text: string } };

export type CreateEmbeddingsMutationVariables = Exact<{
  input: EmbeddingsInput;
}>;


export type CreateEmbeddingsMutation = { createEmbeddings: { model: string, embeddings: Array<{ index: number, vector: Array<number> }>, usage: { promptTokens: number, totalTokens: number } } };

export type SchedulerFieldsFragment = { nodeId: string, busySlots: number, totalSlots: number, queued: number, models: Array<{ modelId: string, nodeId: string, busySlots: number, queued: number, queueCapacity: number, slots: Array<{ index: number, busy: boolean, requestId: string | null, cachedTokens: number }> }> };

export type SchedulerStateQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulerStateQuery = { scheduler: { nodeId: string, busySlots: number, totalSlots: number, queued: number, models: Array<{ modelId: string, nodeId: string, busySlots: number, queued: number, queueCapacity: number, slots: Array<{ index: number, busy: boolean, requestId: string | null, cachedTokens: number }> }> } };

export type SchedulerEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type SchedulerEventsSubscription = { schedulerEvents: { nodeId: string, busySlots: number, totalSlots: number, queued: number, models: Array<{ modelId: string, nodeId: string, busySlots: number, queued: number, queueCapacity: number, slots: Array<{ index: number, busy: boolean, requestId: string | null, cachedTokens: number }> }> } };

export const UsageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]} as unknown as DocumentNode<UsageFieldsFragment, unknown>;
export const TimingsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Timings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queueMs"}},{"kind":"Field","name":{"kind":"Name","value":"promptMs"}},{"kind":"Field","name":{"kind":"Name","value":"generationMs"}},{"kind":"Field","name":{"kind":"Name","value":"generatedTokensPerSecond"}}]}}]} as unknown as DocumentNode<TimingsFieldsFragment, unknown>;
export const SchedulerFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SchedulerFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SchedulerState"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"totalSlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelId"}},{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"queueCapacity"}},{"kind":"Field","name":{"kind":"Name","value":"slots"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"busy"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"cachedTokens"}}]}}]}}]}}]} as unknown as DocumentNode<SchedulerFieldsFragment, unknown>;
export const ChatStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ChatStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatCompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chatCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationStarted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReasoningDelta"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reasoning"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContentDelta"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallDelta"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"callId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"argumentsDelta"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationFinished"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"fullContent"}},{"kind":"Field","name":{"kind":"Name","value":"fullReasoning"}},{"kind":"Field","name":{"kind":"Name","value":"stopSequence"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TimingsFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Timings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queueMs"}},{"kind":"Field","name":{"kind":"Name","value":"promptMs"}},{"kind":"Field","name":{"kind":"Name","value":"generationMs"}},{"kind":"Field","name":{"kind":"Name","value":"generatedTokensPerSecond"}}]}}]} as unknown as DocumentNode<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const CreateChatCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateChatCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatCompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createChatCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"reasoning"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TimingsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TimingsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Timings"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queueMs"}},{"kind":"Field","name":{"kind":"Name","value":"promptMs"}},{"kind":"Field","name":{"kind":"Name","value":"generationMs"}},{"kind":"Field","name":{"kind":"Name","value":"generatedTokensPerSecond"}}]}}]} as unknown as DocumentNode<CreateChatCompletionMutation, CreateChatCompletionMutationVariables>;
export const CancelGenerationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelGeneration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelGeneration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<CancelGenerationMutation, CancelGenerationMutationVariables>;
export const CompletionStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CompletionStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationStarted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDelta"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionFinished"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]} as unknown as DocumentNode<CompletionStreamSubscription, CompletionStreamSubscriptionVariables>;
export const CreateCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UsageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"logprobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"logprob"}},{"kind":"Field","name":{"kind":"Name","value":"topLogprobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"logprob"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UsageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Usage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cachedPromptTokens"}}]}}]} as unknown as DocumentNode<CreateCompletionMutation, CreateCompletionMutationVariables>;
export const ModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"contextSize"}},{"kind":"Field","name":{"kind":"Name","value":"trainContextSize"}},{"kind":"Field","name":{"kind":"Name","value":"chatTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingSize"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"loraAdapters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ModelsQuery, ModelsQueryVariables>;
export const HealthDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"models"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}}]}}]}}]} as unknown as DocumentNode<HealthQuery, HealthQueryVariables>;
export const TokenizeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Tokenize"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"text"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addSpecialTokens"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tokenize"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"text"},"value":{"kind":"Variable","name":{"kind":"Name","value":"text"}}},{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"addSpecialTokens"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addSpecialTokens"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"tokens"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"piece"}}]}}]}}]}}]} as unknown as DocumentNode<TokenizeQuery, TokenizeQueryVariables>;
export const DetokenizeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Detokenize"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tokens"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"detokenize"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tokens"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tokens"}}},{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]} as unknown as DocumentNode<DetokenizeQuery, DetokenizeQueryVariables>;
export const CreateEmbeddingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateEmbeddings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EmbeddingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createEmbeddings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"vector"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<CreateEmbeddingsMutation, CreateEmbeddingsMutationVariables>;
export const SchedulerStateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SchedulerState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scheduler"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SchedulerFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SchedulerFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SchedulerState"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"totalSlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelId"}},{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"queueCapacity"}},{"kind":"Field","name":{"kind":"Name","value":"slots"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"busy"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"cachedTokens"}}]}}]}}]}}]} as unknown as DocumentNode<SchedulerStateQuery, SchedulerStateQueryVariables>;
export const SchedulerEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SchedulerEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"schedulerEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SchedulerFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SchedulerFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SchedulerState"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"totalSlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelId"}},{"kind":"Field","name":{"kind":"Name","value":"nodeId"}},{"kind":"Field","name":{"kind":"Name","value":"busySlots"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"queueCapacity"}},{"kind":"Field","name":{"kind":"Name","value":"slots"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"busy"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"cachedTokens"}}]}}]}}]}}]} as unknown as DocumentNode<SchedulerEventsSubscription, SchedulerEventsSubscriptionVariables>;