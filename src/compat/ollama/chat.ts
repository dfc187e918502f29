// POST /api/chat as the chat resolver's input, and its result and events as Ollama's chat objects:
// content and thinking as they come, complete tool calls (Ollama sends them whole, arguments parsed),
// then a last object with done: true, the done reason and the counts.
import type { ChatCompletion, ChatCompletionEvent, ChatCompletionInput } from "../../resolvers/index.js";
import { OpenAiError } from "../openai/errors/openAiError.js";
import {
  answerHead,
  doneFields,
  type ServedFinishReason,
  streamEnd,
  toWireLogprobs,
  toWireToolCalls,
} from "./answers.js";
import { toGenerationFields, toLogprobFields, toReasoningEffort, toResponseFormat } from "./options.js";
import type { AnswerMessage, ChatChunk, ChatDone, ChatRequest, ErrorBody, WireMessage } from "./protocol.js";

type ResolverMessage = ChatCompletionInput["messages"][number];

export function toChatInput(request: ChatRequest, model: string): ChatCompletionInput {
  return Object.assign(toGenerationFields(request.options, request), toLogprobFields(request), {
    model,
    messages: toResolverMessages(request.messages),
    tools: request.tools?.map(({ function: { name, description, parameters } }) => ({
      type: "function" as const,
      function: { name, description, parameters },
    })),
    responseFormat: toResponseFormat(request.format),
    reasoningEffort: toReasoningEffort(request.think),
  });
}

/**
 * Ollama's tool calls and results carry no ids (its results name the tool): each call gets one, and
 * each result the id of the call it answers, by `tool_call_id` when sent, else the first unanswered
 * call of that tool, else the first unanswered call.
 */
export function toResolverMessages(messages: readonly WireMessage[]): ResolverMessage[] {
  let unanswered: { id: string; name: string }[] = [];
  return messages.map((message, index): ResolverMessage => {
    if (message.images?.length)
      throw OpenAiError.invalidRequest(
        `messages[${index}].images`,
        `Invalid 'messages[${index}].images': images are not supported: the served models read text only`,
      );
    switch (message.role) {
      case "system":
      case "user":
        return { role: message.role, content: message.content };
      case "assistant": {
        const toolCalls = (message.tool_calls ?? []).map((call, callIndex) => ({
          id: call.id ?? `call_${index}_${callIndex}`,
          type: "function" as const,
          function: {
            name: call.function.name,
            arguments:
              typeof call.function.arguments === "string"
                ? call.function.arguments
                : JSON.stringify(call.function.arguments),
          },
        }));
        unanswered = toolCalls.map((call) => ({ id: call.id, name: call.function.name }));
        return {
          role: "assistant",
          content: message.content === "" && toolCalls.length > 0 ? null : message.content,
          ...(message.thinking ? { reasoning: message.thinking } : {}),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        };
      }
      // A tool's result.
      default: {
        const answered =
          unanswered.find((call) => call.id === message.tool_call_id) ??
          unanswered.find((call) => call.name === message.tool_name) ??
          unanswered[0];
        unanswered = unanswered.filter((call) => call !== answered);
        return {
          role: "tool",
          content: message.content,
          toolCallId: message.tool_call_id ?? answered?.id ?? `call_${index}`,
        };
      }
    }
  });
}

/** The whole answer, for `stream: false`; `model` is the name the request gave (Ollama echoes it). */
export function toChatDone(
  completion: ChatCompletion & { finishReason: ServedFinishReason },
  model: string,
): ChatDone {
  const toolCalls = toWireToolCalls(completion.toolCalls);
  return {
    ...answerHead(model),
    message: {
      role: "assistant",
      content: completion.content ?? "",
      ...(completion.reasoning !== null ? { thinking: completion.reasoning } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    ...(completion.logprobs ? { logprobs: toWireLogprobs(completion.logprobs) } : {}),
    ...doneFields(completion.finishReason, completion),
  };
}

/**
 * The resolver's events as Ollama's streamed chat objects, each naming `model` as the request did;
 * tool calls come whole, before the last.
 */
export function chatChunkTranslation(
  model: string,
): (event: ChatCompletionEvent) => (ChatChunk | ChatDone | ErrorBody)[] {
  const piece = (message: AnswerMessage, logprobs?: ChatCompletion["logprobs"]): ChatChunk => ({
    ...answerHead(model),
    message,
    ...(logprobs ? { logprobs: toWireLogprobs(logprobs) } : {}),
    done: false,
  });
  return (event) => {
    switch (event.type) {
      case "started":
        return [];
      case "contentDelta":
        return [piece({ role: "assistant", content: event.content }, event.logprobs)];
      case "reasoningDelta":
        return [piece({ role: "assistant", content: "", thinking: event.reasoning })];
      // The finished event carries them assembled.
      case "toolCallDelta":
        return [];
      case "finished":
        return streamEnd(event, (reason) => {
          const toolCalls = toWireToolCalls(event.toolCalls);
          return [
            ...(toolCalls.length > 0
              ? [piece({ role: "assistant", content: "", tool_calls: toolCalls })]
              : []),
            {
              ...answerHead(model),
              message: { role: "assistant", content: "" },
              ...doneFields(reason, event),
            },
          ];
        });
    }
  };
}
