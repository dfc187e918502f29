// Translation between the Responses wire format and the chat resolver: input items (and a stored
// conversation) become chat messages, and the chat answer becomes a response object.
import type { ChatCompletionInput, Usage } from "../../../resolvers/index.js";
import { OpenAiError } from "../errors/openAiError.js";
import type { ParamRenames } from "../errors/wireParam.js";
import { toGenerationInput } from "../shared/toGenerationInput.js";
import type {
  InputItemRequest,
  ResponseCreateRequest,
  ResponsePromptRequest,
  WireResponse,
  WireResponseUsage,
} from "./protocol.js";
import type { ConversationMessage, StoredResponse } from "./responseStore.js";

type AssistantMessage = Extract<ConversationMessage, { role: "assistant" }>;
type TextParts = string | { text?: string }[];

/** The messages a request adds to its conversation (instructions excluded: they are not carried over). */
export function toConversation(
  input: ResponsePromptRequest["input"],
  previous: StoredResponse | undefined,
): ConversationMessage[] {
  const messages: ConversationMessage[] = [...(previous?.conversation ?? [])];
  if (typeof input === "string") messages.push({ role: "user", content: input });
  else for (const item of input ?? []) appendItem(messages, item);
  return messages;
}

/** Reasoning, an assistant message and its function calls, in a row, are one assistant turn. */
function appendItem(messages: ConversationMessage[], item: InputItemRequest): void {
  const last = messages.at(-1);
  const openTurn = last?.role === "assistant" ? last : undefined;
  switch (item.type) {
    case "message": {
      const content = partsText(item.content);
      if (item.role !== "assistant") messages.push({ role: item.role, content });
      else if (openTurn && !openTurn.content && !openTurn.toolCalls?.length) openTurn.content = content;
      else messages.push({ role: "assistant", content });
      return;
    }
    case "reasoning": {
      const reasoning = [...(item.content ?? []), ...(item.content?.length ? [] : (item.summary ?? []))]
        .map((part) => part.text)
        .join("");
      messages.push({ role: "assistant", content: null, reasoning });
      return;
    }
    case "function_call": {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      if (openTurn) openTurn.toolCalls = [...(openTurn.toolCalls ?? []), call];
      else messages.push({ role: "assistant", content: null, toolCalls: [call] } satisfies AssistantMessage);
      return;
    }
    case "function_call_output":
      messages.push({ role: "tool", toolCallId: item.call_id, content: partsText(item.output) });
      return;
  }
}

function partsText(content: TextParts): string {
  return typeof content === "string" ? content : content.map((part) => part.text ?? "").join("");
}

/** The chat input for a prompt: instructions as a system message first, then the conversation. */
export function toChatPromptInput(
  request: ResponsePromptRequest,
  conversation: ConversationMessage[],
): ChatCompletionInput {
  const format = request.text?.format;
  return {
    model: request.model,
    messages: [
      ...(request.instructions !== undefined
        ? [{ role: "system" as const, content: request.instructions }]
        : []),
      ...conversation,
    ],
    tools: request.tools?.map(({ name, description, parameters }) => ({
      type: "function",
      function: { name, description, parameters },
    })),
    toolChoice:
      typeof request.tool_choice === "object"
        ? { type: "function", function: { name: request.tool_choice.name } }
        : request.tool_choice,
    parallelToolCalls: request.parallel_tool_calls,
    responseFormat:
      format?.type === "json_schema"
        ? {
            type: "json_schema",
            // When absent, the resolver rejects it.
            jsonSchema: {
              name: format.name,
              schema: format.schema as Record<string, unknown>,
              strict: format.strict,
            },
          }
        : format,
    reasoningEffort: request.reasoning?.effort,
  };
}

export function toChatCompletionInput(
  request: ResponseCreateRequest,
  conversation: ConversationMessage[],
): ChatCompletionInput {
  return {
    ...toGenerationInput({ ...request, max_tokens: request.max_output_tokens, stream_options: undefined }),
    ...toChatPromptInput(request, conversation),
    grammar: request.grammar,
    // OpenAI sends logprobs only when asked to include them; top_logprobs sets the alternatives.
    ...(request.include?.includes(OUTPUT_TEXT_LOGPROBS)
      ? { logprobs: true, topLogprobs: request.top_logprobs ?? 0 }
      : {}),
  };
}

/** The `include` value that asks for each output token's logprobs in its output_text part. */
const OUTPUT_TEXT_LOGPROBS = "message.output_text.logprobs";

/** Wire names of resolver fields that differ from their snake_case form. */
export const responseParamRenames: ParamRenames = {
  maxTokens: "max_output_tokens",
  messages: "input",
  responseFormat: "text.format",
  reasoningEffort: "reasoning.effort",
  topLogprobs: "top_logprobs",
};

export function previousResponseNotFound(id: string): OpenAiError {
  return new OpenAiError(
    404,
    "invalid_request_error",
    `Previous response with id '${id}' not found.`,
    "previous_response_id",
    "previous_response_not_found",
  );
}

export function responseNotFound(id: string): OpenAiError {
  return new OpenAiError(
    404,
    "invalid_request_error",
    `No response found with id '${id}'.`,
    null,
    "not_found",
  );
}

/** The response object as it stands when generation starts: in progress, no output yet. */
export function inProgressResponse(
  request: ResponseCreateRequest,
  ids: { id: string; model: string; createdAt: number },
): WireResponse {
  const format = request.text?.format ?? { type: "text" };
  return {
    id: ids.id,
    object: "response",
    created_at: ids.createdAt,
    completed_at: null,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: ids.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: { format },
    tool_choice: request.tool_choice ?? "auto",
    tools: (request.tools ?? []).map((tool) => ({ ...tool, strict: tool.strict ?? null })),
    top_p: request.top_p ?? null,
    truncation: "disabled",
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/** The usage in the Responses API's names. */
export function toWireResponseUsage(usage: Usage): WireResponseUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}
