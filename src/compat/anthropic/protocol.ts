// POST /v1/messages and /v1/messages/count_tokens on the wire (Anthropic's Messages API): the request
// schemas and the response and stream event shapes. Objects are not strict: clients (Claude Code, the SDK)
// send fields inferql has no use for (cache_control, metadata, service_tier), and those are dropped.
import { z } from "zod";

const textBlockSchema = z.object({ type: z.literal("text"), text: z.string() });

const toolResultBlockSchema = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))])
    .optional(),
  is_error: z.boolean().optional(),
});

const toolUseBlockSchema = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

const thinkingBlockSchema = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});

/** Reasoning a provider encrypted: it has nothing a local model can read, so it is dropped. */
const redactedThinkingBlockSchema = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

const contentBlockSchema = z.discriminatedUnion("type", [
  textBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
]);

export const messageParamSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

const toolSchema = z
  .object({
    type: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()),
  })
  .refine((tool) => tool.type === undefined || tool.type === "custom", {
    message: "Only client tools (name, description, input_schema) are supported: server tools are not",
    path: ["type"],
  });

const toolChoiceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({
    type: z.literal("tool"),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.object({ type: z.literal("none") }),
]);

const thinkingConfigSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enabled"), budget_tokens: z.number().int().min(0) }),
  z.object({ type: z.literal("disabled") }),
]);

const promptFields = {
  model: z.string().min(1),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  messages: z.array(messageParamSchema),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingConfigSchema.optional(),
};

export const messagesRequestSchema = z.object({
  ...promptFields,
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
});

export const countTokensRequestSchema = z.object(promptFields);

export type MessagesRequest = z.output<typeof messagesRequestSchema>;
export type CountTokensRequest = z.output<typeof countTokensRequestSchema>;
export type MessageParam = z.output<typeof messageParamSchema>;
export type ContentBlockParam = z.output<typeof contentBlockSchema>;

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export type ResponseContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface WireUsage {
  /** Prompt tokens evaluated for this request: the prompt less what a slot's cache already held. */
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface MessageResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ResponseContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: WireUsage;
}

export type ContentBlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "input_json_delta"; partial_json: string };

/** A stream event: its `type` is also the SSE event name. */
export type StreamEvent =
  | { type: "message_start"; message: MessageResponse }
  | { type: "content_block_start"; index: number; content_block: ResponseContentBlock }
  | { type: "content_block_delta"; index: number; delta: ContentBlockDelta }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: StopReason | null; stop_sequence: string | null };
      usage: { output_tokens: number };
    }
  | { type: "message_stop" }
  | { type: "ping" };
