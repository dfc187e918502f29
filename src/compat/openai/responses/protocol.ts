// POST /v1/responses (and /v1/responses/input_tokens) on the wire: the request schema, the response
// object, its output items and the streamed events, as OpenAI's Responses API spells them.
import { z } from "zod";
import { functionDefinitionFields, type WireLogprobs } from "../chat/protocol.js";
import type { OpenAiErrorBody } from "../errors/openAiError.js";
import { generationRequestFields, notSupported, optional } from "../shared/protocol.js";

const textPartSchema = z
  .object({ type: z.string(), text: optional(z.string()) })
  .superRefine((part, context) => {
    if (!["input_text", "output_text", "text"].includes(part.type))
      context.addIssue({
        code: "custom",
        path: ["type"],
        message: `Content parts of type '${part.type}' are not supported: only input_text and output_text parts are`,
      });
    else if (part.text === undefined)
      context.addIssue({ code: "custom", path: ["text"], message: "A text part needs 'text'" });
  });

const messageItemSchema = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(textPartSchema)]),
});

const functionCallItemSchema = z.object({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const functionCallOutputItemSchema = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(textPartSchema)]),
});

const reasoningTextSchema = z.object({ type: z.string(), text: z.string() });

const reasoningItemSchema = z.object({
  type: z.literal("reasoning"),
  summary: optional(z.array(reasoningTextSchema)),
  content: optional(z.array(reasoningTextSchema)),
  encrypted_content: notSupported("Encrypted reasoning is not supported"),
});

const inputItemSchema = z.preprocess(
  // An "easy" input message has no type: it is a message.
  (item) =>
    typeof item === "object" && item !== null && !("type" in item) && "role" in item
      ? { ...item, type: "message" }
      : item,
  z.discriminatedUnion(
    "type",
    [messageItemSchema, functionCallItemSchema, functionCallOutputItemSchema, reasoningItemSchema],
    {
      error: (issue) =>
        issue.code === "invalid_union"
          ? "Only message, function_call, function_call_output and reasoning items are supported"
          : undefined,
    },
  ),
);

const functionToolSchema = z.object({
  type: z.literal("function", { message: "Only function tools are supported" }),
  ...functionDefinitionFields,
});

const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), name: z.string() }),
]);

const textFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: optional(z.string()),
    description: optional(z.string()),
    schema: optional(z.record(z.string(), z.unknown())),
    strict: optional(z.boolean()),
  }),
]);

const {
  n: _n,
  max_tokens: _maxTokens,
  stream_options: _streamOptions,
  ...sharedFields
} = generationRequestFields;

/** What both POST /v1/responses and POST /v1/responses/input_tokens read: the prompt's parts. */
const promptFields = {
  model: optional(z.string()),
  input: optional(z.union([z.string(), z.array(inputItemSchema)])),
  instructions: optional(z.string()),
  previous_response_id: optional(z.string()),
  tools: optional(z.array(functionToolSchema)),
  tool_choice: optional(toolChoiceSchema),
  parallel_tool_calls: optional(z.boolean()),
  text: optional(z.object({ format: optional(textFormatSchema) })),
  reasoning: optional(z.object({ effort: optional(z.string()), summary: optional(z.string()) })),
  conversation: notSupported("Conversations are not supported: use 'previous_response_id'"),
  prompt: notSupported("Prompt templates are not supported"),
};

export const responseCreateRequestSchema = z.object({
  ...sharedFields,
  ...promptFields,
  max_output_tokens: optional(z.number()),
  /** Alternatives per output token, in each token's logprobs (when `include` asks for them). */
  top_logprobs: optional(z.number()),
  /** Extra output: "message.output_text.logprobs" is served; other values have nothing to add here. */
  include: optional(z.array(z.string())),
  metadata: optional(z.record(z.string(), z.string())),
  store: optional(z.boolean()),
  truncation: optional(z.literal("disabled", { message: "Only truncation 'disabled' is supported" })),
  background: optional(z.literal(false, { message: "Background responses are not supported" })),
});

export const inputTokensRequestSchema = z.object(promptFields);

export type ResponseCreateRequest = z.output<typeof responseCreateRequestSchema>;
export type InputTokensRequest = z.output<typeof inputTokensRequestSchema>;
export type ResponsePromptRequest = Pick<ResponseCreateRequest, keyof typeof promptFields>;
export type InputItemRequest = z.output<typeof inputItemSchema>;
export type WireFunctionTool = z.output<typeof functionToolSchema>;

/** One output token's log probability, with its most likely alternatives (chat's shape). */
export type WireOutputLogprob = WireLogprobs["content"][number];

export interface WireOutputText {
  type: "output_text";
  text: string;
  annotations: never[];
  /** Filled when the request's `include` asks for "message.output_text.logprobs". */
  logprobs: WireOutputLogprob[];
}

export interface WireReasoningText {
  type: "reasoning_text";
  text: string;
}

export type ItemStatus = "in_progress" | "completed" | "incomplete";

export interface WireMessageItem {
  type: "message";
  id: string;
  status: ItemStatus;
  role: "assistant";
  content: WireOutputText[];
}

export interface WireReasoningItem {
  type: "reasoning";
  id: string;
  status: ItemStatus;
  summary: never[];
  content: WireReasoningText[];
}

export interface WireFunctionCallItem {
  type: "function_call";
  id: string;
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

export type WireOutputItem = WireMessageItem | WireReasoningItem | WireFunctionCallItem;

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";

export interface WireResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface WireResponse {
  id: string;
  object: "response";
  created_at: number;
  completed_at: number | null;
  status: ResponseStatus;
  error: { code: "server_error"; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: WireOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: { type: string; [field: string]: unknown } };
  tool_choice: "none" | "auto" | "required" | { type: "function"; name: string };
  tools: (Omit<WireFunctionTool, "strict"> & { strict: boolean | null })[];
  top_p: number | null;
  truncation: "disabled";
  usage: WireResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

export interface WireDeletedResponse {
  id: string;
  object: "response.deleted";
  deleted: true;
}

export interface WireInputTokens {
  object: "response.input_tokens";
  input_tokens: number;
}

type Located = { item_id: string; output_index: number };
type InPart = Located & { content_index: number };

/** A streamed event before its sequence number is stamped on. */
export type ResponseStreamEvent =
  | { type: "response.created" | "response.in_progress"; response: WireResponse }
  | { type: "response.completed" | "response.incomplete" | "response.failed"; response: WireResponse }
  | {
      type: "response.output_item.added" | "response.output_item.done";
      output_index: number;
      item: WireOutputItem;
    }
  | ({
      type: "response.content_part.added" | "response.content_part.done";
      part: WireOutputText | WireReasoningText;
    } & InPart)
  | ({ type: "response.output_text.delta"; delta: string; logprobs: WireOutputLogprob[] } & InPart)
  | ({ type: "response.output_text.done"; text: string; logprobs: WireOutputLogprob[] } & InPart)
  | ({ type: "response.reasoning_text.delta"; delta: string } & InPart)
  | ({ type: "response.reasoning_text.done"; text: string } & InPart)
  | ({ type: "response.function_call_arguments.delta"; delta: string } & Located)
  | ({ type: "response.function_call_arguments.done"; arguments: string; name: string } & Located)
  | ({ type: "error" } & OpenAiErrorBody["error"]);
