// Translation between the chat completion wire format and the chat resolver's input and result.
import type {
  ChatChoice,
  ChatCompletion,
  ChatCompletionInput,
  FinishReason,
} from "../../../resolvers/index.js";
import type { ParamRenames } from "../errors/wireParam.js";
import {
  finishReasonDetail,
  systemFingerprint,
  toWireFinishReason,
  toWireTimings,
  toWireUsage,
} from "../shared/responseFields.js";
import {
  type StructuredOutput,
  structuredOutputRenames,
  toStructuredOutput,
  toTextConstraint,
} from "../shared/structuredOutputs.js";
import { generationParamRenames, toGenerationInput } from "../shared/toGenerationInput.js";
import type {
  ChatCompletionRequest,
  ChatCompletionResponse,
  ChatMessageRequest,
  WireLogprobs,
  WireToolCall,
} from "./protocol.js";

type ResolverMessage = ChatCompletionInput["messages"][number];
type ResolverContent = Extract<ResolverMessage, { role: "user" }>["content"];
type TokenLogprob = NonNullable<ChatCompletion["logprobs"]>[number];

export function toChatCompletionInput(request: ChatCompletionRequest): ChatCompletionInput {
  const output = chatStructuredOutput(request);
  // The constraint as a source of its own: a spread among the keys would cost µs a key (see toGenerationInput).
  return Object.assign(
    toGenerationInput(request),
    {
      n: request.n,
      maxTokens: request.max_completion_tokens ?? request.max_tokens,
      messages: request.messages.map(toResolverMessage),
      responseFormat: toResponseFormat(request.response_format, output),
      grammar: request.grammar,
      tools: request.tools?.map(({ function: { name, description, parameters } }) => ({
        type: "function" as const,
        function: { name, description, parameters },
      })),
      toolChoice: request.tool_choice,
      parallelToolCalls: request.parallel_tool_calls,
      logprobs: request.logprobs,
      topLogprobs: request.top_logprobs,
      reasoningFormat: request.reasoning_format === "none" ? ("inline" as const) : ("separate" as const),
      reasoningBudget: request.thinking_budget_tokens,
      reasoningEffort: request.reasoning_effort,
      chatTemplateKwargs: request.chat_template_kwargs,
    },
    toTextConstraint(output),
  );
}

/** vLLM's structured outputs, checked against the request's own constraint fields. */
function chatStructuredOutput(request: ChatCompletionRequest): StructuredOutput | undefined {
  return toStructuredOutput(request, [
    ...(request.response_format !== undefined && request.response_format.type !== "text"
      ? ["response_format"]
      : []),
    ...(request.grammar !== undefined ? ["grammar"] : []),
  ]);
}

function toResponseFormat(
  format: ChatCompletionRequest["response_format"],
  output: StructuredOutput | undefined,
): ChatCompletionInput["responseFormat"] {
  if (output?.kind === "json") return { type: "json_schema", jsonSchema: { schema: output.schema } };
  if (output?.kind === "jsonObject") return { type: "json_object" };
  if (format?.type !== "json_schema") return format;
  return {
    type: "json_schema",
    jsonSchema: {
      name: format.json_schema.name,
      // When absent, the resolver rejects it and names response_format.json_schema.schema.
      schema: format.json_schema.schema as Record<string, unknown>,
      strict: format.json_schema.strict,
    },
  };
}

/** Wire names of resolver fields that differ from their snake_case form, for this request. */
export function chatParamRenames(request: ChatCompletionRequest): ParamRenames {
  return {
    ...generationParamRenames(request),
    ...structuredOutputRenames(chatStructuredOutput(request), "responseFormat.jsonSchema.schema"),
    maxTokens: request.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens",
    reasoningBudget: "thinking_budget_tokens",
  };
}

function toResolverMessage(message: ChatMessageRequest): ResolverMessage {
  switch (message.role) {
    case "system":
    case "developer":
    case "user":
      return { role: message.role, content: toResolverContent(message.content) };
    case "assistant":
      return {
        role: "assistant",
        content: message.content === undefined ? undefined : toResolverContent(message.content),
        reasoning: message.reasoning_content ?? message.reasoning,
        toolCalls: message.tool_calls?.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.function.name, arguments: call.function.arguments },
        })),
      };
    case "tool":
      return { role: "tool", content: toResolverContent(message.content), toolCallId: message.tool_call_id };
  }
}

function toResolverContent(content: string | { text?: string }[]): ResolverContent {
  return typeof content === "string"
    ? content
    : content.map((part) => ({ type: "text" as const, text: part.text ?? "" }));
}

/** A choice that ended without failing: the only kind a chat.completion response carries. */
type ServedChoice = ChatChoice & { finishReason: Exclude<FinishReason, "error"> };

/** Whether every choice ended without failing (otherwise the answer is an error). */
export function allChoicesServed(
  completion: ChatCompletion,
): completion is ChatCompletion & { choices: ServedChoice[] } {
  return completion.choices.every((choice) => choice.finishReason !== "error");
}

/** `usage` counts every choice; `timings` (llama-server's) are choice 0's. */
export function toChatCompletionResponse(
  completion: ChatCompletion & { choices: ServedChoice[] },
): ChatCompletionResponse {
  const [first] = completion.choices;
  return {
    id: completion.id,
    object: "chat.completion",
    created: completion.created,
    model: completion.model,
    system_fingerprint: systemFingerprint(completion.model),
    choices: completion.choices.map(toWireChoice),
    usage: toWireUsage(completion.usage),
    timings: toWireTimings(first.timings, first.usage),
  };
}

function toWireChoice(choice: ServedChoice): ChatCompletionResponse["choices"][number] {
  const toolCalls = choice.toolCalls.map(
    (call): WireToolCall => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }),
  );
  return {
    index: choice.index,
    message: {
      role: "assistant",
      content: choice.content,
      ...(choice.reasoning !== null ? { reasoning_content: choice.reasoning } : {}),
      refusal: null,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    },
    logprobs: choice.logprobs ? toWireLogprobs(choice.logprobs) : null,
    finish_reason: toWireFinishReason(choice.finishReason),
    ...finishReasonDetail(choice.finishReason),
  };
}

export function toWireLogprobs(logprobs: readonly TokenLogprob[]): WireLogprobs {
  return {
    content: logprobs.map(({ token, logprob, bytes, topLogprobs }) => ({
      token,
      logprob,
      bytes,
      top_logprobs: topLogprobs.map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes })),
    })),
    refusal: null,
  };
}
