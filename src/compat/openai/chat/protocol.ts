// POST /v1/chat/completions on the wire: the request schema and the response and chunk shapes.
import { z } from "zod";
import { generationRequestFields, notSupported, optional, samplingExtensions } from "../shared/protocol.js";
import { type RareFieldsOf, rareFields } from "../shared/rareFields.js";
import type { WireFinishReason, WireTimings, WireUsage } from "../shared/responseFields.js";
import { structuredOutputFields } from "../shared/structuredOutputs.js";

const contentPartSchema = z
  .object({ type: z.string(), text: optional(z.string()) })
  .superRefine((part, context) => {
    if (part.type !== "text")
      context.addIssue({
        code: "custom",
        path: ["type"],
        message: `Content parts of type '${part.type}' are not supported: only text parts are`,
      });
    else if (part.text === undefined)
      context.addIssue({ code: "custom", path: ["text"], message: "A text part needs 'text'" });
  });

const contentSchema = z.union([z.string(), z.array(contentPartSchema)]);

const toolCallSchema = z.object({
  id: z.string(),
  type: optional(z.literal("function")),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

// `name` (a participant name) is accepted and not used: chat templates have no place for it.
const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: contentSchema }),
  z.object({ role: z.literal("developer"), content: contentSchema }),
  z.object({ role: z.literal("user"), content: contentSchema }),
  z.object({
    role: z.literal("assistant"),
    content: optional(contentSchema),
    /** The reasoning that came before this answer (llama-server's and vLLM's field). */
    reasoning_content: optional(z.string()),
    /** The same, by the name newer vLLM and OpenRouter use; reasoning_content wins when both come. */
    reasoning: optional(z.string()),
    tool_calls: optional(z.array(toolCallSchema)),
    function_call: notSupported("Deprecated 'function_call' is not supported: use 'tool_calls'"),
    audio: notSupported("Audio is not supported"),
  }),
  z.object({ role: z.literal("tool"), content: contentSchema, tool_call_id: z.string() }),
]);

/** A function tool's definition: nested under `function` here, flat in the Responses API. */
export const functionDefinitionFields = {
  name: z.string(),
  description: optional(z.string()),
  parameters: optional(z.record(z.string(), z.unknown())),
  /** Calls that are forced (tool_choice required or named) always follow the schema. */
  strict: optional(z.boolean()),
};

const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object(functionDefinitionFields),
});

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: optional(z.string()),
      description: optional(z.string()),
      schema: optional(z.record(z.string(), z.unknown())),
      strict: optional(z.boolean()),
    }),
  }),
]);

export const chatCompletionRequestSchema = z
  .object({
    ...generationRequestFields,
    /** Choices to generate; the resolver checks the range. */
    n: optional(z.number()),
    messages: z.array(messageSchema),
    max_completion_tokens: optional(z.number()),
    logprobs: optional(z.boolean()),
    top_logprobs: optional(z.number()),
    response_format: optional(responseFormatSchema),
    tools: optional(z.array(toolSchema)),
    tool_choice: optional(toolChoiceSchema),
    parallel_tool_calls: optional(z.boolean()),
    /** llama-server's: "none" leaves reasoning in the content; the others separate it. */
    reasoning_format: optional(z.enum(["none", "auto", "deepseek", "deepseek-legacy"])),
    thinking_budget_tokens: optional(z.number()),
    chat_template_kwargs: optional(z.record(z.string(), z.unknown())),
    /** OpenAI's reasoning effort: passed to the chat template (gpt-oss reads it). */
    reasoning_effort: optional(z.enum(["minimal", "low", "medium", "high"])),
    modalities: optional(z.array(z.literal("text", { message: "Only the 'text' modality is supported" }))),
    functions: notSupported("Deprecated 'functions' are not supported: use 'tools'"),
    function_call: notSupported("Deprecated 'function_call' is not supported: use 'tool_choice'"),
    audio: notSupported("Audio output is not supported"),
    prediction: notSupported("Predicted outputs are not supported"),
    web_search_options: notSupported("Web search is not supported"),
  })
  .superRefine((request, context) => {
    if (request.top_logprobs !== undefined && request.top_logprobs > 0 && request.logprobs !== true)
      context.addIssue({
        code: "custom",
        path: ["top_logprobs"],
        message: "top_logprobs needs logprobs: true",
      });
  });

/** vLLM's sampling extensions and structured outputs: checked only when a request sends one. */
export const chatRareFields = rareFields({ ...samplingExtensions.schema.shape, ...structuredOutputFields });

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema> &
  RareFieldsOf<typeof chatRareFields>;
export type ChatMessageRequest = z.output<typeof messageSchema>;

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface WireTopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface WireLogprobs {
  content: (WireTopLogprob & { top_logprobs: WireTopLogprob[] })[];
  refusal: null;
}

export interface ChatCompletionResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  system_fingerprint: string;
  choices: {
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      reasoning_content?: string;
      refusal: null;
      tool_calls?: WireToolCall[];
    };
    logprobs: WireLogprobs | null;
    finish_reason: WireFinishReason;
  }[];
  usage: WireUsage;
  timings: WireTimings;
}

export interface WireToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  system_fingerprint: string;
  choices: {
    index: number;
    delta: {
      role?: "assistant";
      content?: string;
      reasoning_content?: string;
      tool_calls?: WireToolCallDelta[];
    };
    logprobs: WireLogprobs | null;
    finish_reason: WireFinishReason | null;
  }[];
  usage?: WireUsage;
  timings?: WireTimings;
}
