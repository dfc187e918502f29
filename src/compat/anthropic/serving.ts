// Translation between Anthropic's Messages wire format and the chat resolver's input and result.
import type { ChatCompletion, ChatCompletionInput, FinishReason, Usage } from "../../resolvers/index.js";
import type { ParamRenames } from "../openai/errors/wireParam.js";
import { parseToolArguments } from "../shared/toolArguments.js";
import { AnthropicError } from "./errors.js";
import type {
  ContentBlockParam,
  CountTokensRequest,
  MessageParam,
  MessageResponse,
  MessagesRequest,
  ResponseContentBlock,
  StopReason,
  WireUsage,
} from "./protocol.js";

type ResolverMessage = ChatCompletionInput["messages"][number];

/** The prompt part of a request (what count_tokens renders too). */
export function toChatPromptInput(request: CountTokensRequest): ChatCompletionInput {
  if (request.messages.length === 0)
    throw AnthropicError.invalidRequest("messages: at least one message is required");
  const system = request.system === undefined ? undefined : joinText(request.system);
  const choice = request.tool_choice;
  return {
    model: request.model,
    messages: [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      ...request.messages.flatMap(toResolverMessages),
    ],
    tools: request.tools?.map(({ name, description, input_schema }) => ({
      type: "function" as const,
      function: { name, description, parameters: input_schema },
    })),
    toolChoice:
      choice === undefined
        ? undefined
        : choice.type === "any"
          ? "required"
          : choice.type === "tool"
            ? { type: "function", function: { name: choice.name } }
            : choice.type,
    ...(choice !== undefined && choice.type !== "none" && choice.disable_parallel_tool_use
      ? { parallelToolCalls: false }
      : {}),
    // enabled: the budget bounds the reasoning; disabled: the resolver turns it off where the template can (Qwen3).
    ...(request.thinking?.type === "enabled" ? { reasoningBudget: request.thinking.budget_tokens } : {}),
    ...(request.thinking?.type === "disabled" ? { reasoningEffort: "none" as const } : {}),
  };
}

/** Resolver fields that toChatPromptInput and toChatCompletionInput fill from differently named ones. */
export const messagesParamRenames: ParamRenames = {
  stop: "stop_sequences",
  reasoningBudget: "thinking.budget_tokens",
  reasoningEffort: "thinking",
  parallelToolCalls: "tool_choice.disable_parallel_tool_use",
};

export function toChatCompletionInput(request: MessagesRequest): ChatCompletionInput {
  return {
    ...toChatPromptInput(request),
    maxTokens: request.max_tokens,
    stop: request.stop_sequences?.length ? request.stop_sequences : undefined,
    temperature: request.temperature,
    topP: request.top_p,
    topK: request.top_k,
  };
}

/**
 * A user turn's tool results become tool messages (first, as Anthropic requires them first) and its text
 * one user message; an assistant turn's thinking, text and tool_use blocks become one assistant message.
 */
function toResolverMessages(message: MessageParam): ResolverMessage[] {
  if (typeof message.content === "string") return [{ role: message.role, content: message.content }];
  const blocks = message.content;
  if (message.role === "assistant") {
    const text = blocks.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
    const reasoning = blocks.flatMap((block) => (block.type === "thinking" ? [block.thinking] : [])).join("");
    const toolCalls = blocks.flatMap((block) =>
      block.type === "tool_use"
        ? [
            {
              id: block.id,
              type: "function" as const,
              function: { name: block.name, arguments: JSON.stringify(block.input) },
            },
          ]
        : [],
    );
    return [
      {
        role: "assistant",
        content: text === "" && toolCalls.length > 0 ? null : text,
        ...(reasoning !== "" ? { reasoning } : {}),
        ...(toolCalls.length ? { toolCalls } : {}),
      },
    ];
  }
  const toolResults: ResolverMessage[] = blocks.flatMap((block) =>
    block.type === "tool_result"
      ? [{ role: "tool" as const, toolCallId: block.tool_use_id, content: toolResultText(block) }]
      : [],
  );
  const userText = blocks.filter((block) => block.type === "text" || block.type === "tool_use");
  for (const block of userText)
    if (block.type === "tool_use")
      throw AnthropicError.invalidRequest("tool_use blocks belong in assistant turns");
  const text = userText.map((block) => (block.type === "text" ? block.text : "")).join("\n");
  return text === "" && toolResults.length > 0
    ? toolResults
    : [...toolResults, { role: "user", content: text }];
}

function toolResultText(block: Extract<ContentBlockParam, { type: "tool_result" }>): string {
  const content = block.content ?? "";
  const text =
    typeof content === "string"
      ? content
      : content
          .map((part) => {
            if (part.type !== "text")
              throw AnthropicError.invalidRequest(
                `tool_result content of type '${part.type}' is not supported: only text is`,
              );
            return part.text ?? "";
          })
          .join("\n");
  // Chat templates have no error flag for a tool result: the text says it.
  return block.is_error ? `Error: ${text}` : text;
}

function joinText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map((block) => block.text).join("\n");
}

/** Anthropic's tool_use ids start with "toolu_"; the resolver's call ids are kept after it. */
export function toToolUseId(callId: string): string {
  return `toolu_${callId.replace(/^call_/, "")}`;
}

/** Anthropic's message ids start with "msg_"; the resolver's generation id is kept after it. */
export function toMessageId(generationId: string): string {
  return `msg_${generationId.replace(/^chatcmpl-/, "")}`;
}

/** A finish reason of a served generation (errors and cancellations never reach a stop reason). */
export function toStopReason(reason: FinishReason, stopSequence: string | undefined): StopReason {
  if (reason === "tool_calls") return "tool_use";
  // A server-side time limit cut the output, as max_tokens would have.
  if (reason === "length" || reason === "timeout") return "max_tokens";
  return stopSequence !== undefined ? "stop_sequence" : "end_turn";
}

/** Anthropic counts cache reads apart from input_tokens: the prompt is their sum. */
export function toWireUsage(usage: Usage): WireUsage {
  return {
    input_tokens: usage.promptTokens - usage.cachedPromptTokens,
    output_tokens: usage.completionTokens,
    cache_read_input_tokens: usage.cachedPromptTokens,
    cache_creation_input_tokens: 0,
  };
}

export function toMessageResponse(completion: ChatCompletion): MessageResponse {
  const [choice] = completion.choices;
  const content: ResponseContentBlock[] = [
    ...(choice.reasoning !== null
      ? [{ type: "thinking" as const, thinking: choice.reasoning, signature: "" }]
      : []),
    ...(choice.content ? [{ type: "text" as const, text: choice.content }] : []),
    ...choice.toolCalls.map((call) => ({
      type: "tool_use" as const,
      id: toToolUseId(call.id),
      name: call.name,
      input: parseToolArguments(call.arguments),
    })),
  ];
  return {
    id: toMessageId(completion.id),
    type: "message",
    role: "assistant",
    model: completion.model,
    content,
    stop_reason: toStopReason(choice.finishReason, choice.stopSequence),
    stop_sequence: choice.stopSequence ?? null,
    usage: toWireUsage(choice.usage),
  };
}
