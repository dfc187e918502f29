// The chat resolver's events as Anthropic's stream events: message_start and a ping, then each content
// block (thinking, text, tool_use) opened, filled by deltas and closed in turn, then message_delta (stop
// reason, output tokens) and message_stop; a failure after the start is an `error` event. Streamed by
// streamAsSse in Anthropic's dialect (named events, no end marker).
import type { ChatCompletionEvent } from "../../resolvers/index.js";
import type { SseDialect } from "../openai/http/streamAsSse.js";
import { type AnthropicErrorBody, internalError } from "./errors.js";
import type { ContentBlockDelta, ResponseContentBlock, StreamEvent } from "./protocol.js";
import { toMessageId, toStopReason, toToolUseId, toWireUsage } from "./serving.js";

type OpenBlockKind = "thinking" | "text" | "tool_use";

/** Turns the resolver's events into Anthropic stream events; it remembers which block is open. */
export class MessageStreamTranslation {
  private blockIndex = -1;
  private openBlock: OpenBlockKind | undefined;

  translate(event: ChatCompletionEvent): (StreamEvent | AnthropicErrorBody)[] {
    switch (event.type) {
      case "started":
        return [
          {
            type: "message_start",
            message: {
              id: toMessageId(event.id),
              type: "message",
              role: "assistant",
              model: event.model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: toWireUsage({
                promptTokens: event.promptTokens,
                cachedPromptTokens: event.cachedPromptTokens,
                completionTokens: 0,
                reasoningTokens: 0,
                totalTokens: event.promptTokens,
              }),
            },
          },
          { type: "ping" },
        ];
      case "reasoningDelta":
        return this.delta(
          "thinking",
          { type: "thinking", thinking: "", signature: "" },
          {
            type: "thinking_delta",
            thinking: event.reasoning,
          },
        );
      case "contentDelta":
        return event.content === ""
          ? []
          : this.delta("text", { type: "text", text: "" }, { type: "text_delta", text: event.content });
      case "toolCallDelta": {
        const opening =
          event.name !== undefined && event.callId !== undefined
            ? this.open("tool_use", {
                type: "tool_use",
                id: toToolUseId(event.callId),
                name: event.name,
                input: {},
              })
            : [];
        if (event.argumentsDelta === "") return opening;
        return [
          ...opening,
          {
            type: "content_block_delta",
            index: this.blockIndex,
            delta: { type: "input_json_delta", partial_json: event.argumentsDelta },
          },
        ];
      }
      case "finished":
        if (event.finishReason === "cancelled") return [];
        // A generation that failed after it started is told as Anthropic's streams tell errors.
        if (event.finishReason === "error") return [internalError().body()];
        return [
          ...this.close(),
          {
            type: "message_delta",
            delta: {
              stop_reason: toStopReason(event.finishReason, event.stopSequence),
              stop_sequence: event.stopSequence ?? null,
            },
            usage: { output_tokens: event.usage.completionTokens },
          },
          { type: "message_stop" },
        ];
    }
  }

  /** A delta for a block of this kind: the open one, or a new one after closing the open one. */
  private delta(kind: OpenBlockKind, start: ResponseContentBlock, delta: ContentBlockDelta): StreamEvent[] {
    const opening = this.openBlock === kind ? [] : this.open(kind, start);
    return [...opening, { type: "content_block_delta", index: this.blockIndex, delta }];
  }

  private open(kind: OpenBlockKind, start: ResponseContentBlock): StreamEvent[] {
    const closing = this.close();
    this.blockIndex++;
    this.openBlock = kind;
    return [...closing, { type: "content_block_start", index: this.blockIndex, content_block: start }];
  }

  private close(): StreamEvent[] {
    if (!this.openBlock) return [];
    this.openBlock = undefined;
    return [{ type: "content_block_stop", index: this.blockIndex }];
  }
}

/** Anthropic's: named events (`event: <type>`), an `error` event on failure, no end marker. */
export const anthropicSse: SseDialect<StreamEvent | AnthropicErrorBody> = {
  name: "anthropic",
  write: (sse, message) => sse.sendEvent(message.type, message),
  failure: () => [internalError().body()],
  end: async (sse) => sse.end(),
};
