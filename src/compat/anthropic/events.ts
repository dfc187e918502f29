// Streams the chat resolver's events as Anthropic's server-sent events: message_start and a ping, then
// each content block (thinking, text, tool_use) opened, filled by deltas and closed in turn, then
// message_delta (stop reason, output tokens) and message_stop. The first event is pulled before any
// header is written, so errors raised before generation starts are still JSON error responses; an error
// after that travels as an `error` event. A client that leaves stops the generation at once.
import type { ChatCompletionEvent } from "../../resolvers/index.js";
import type { RouteContext } from "../openai/http/route.js";
import { SseStream } from "../openai/http/sseStream.js";
import { internalError } from "./errors.js";
import type { ContentBlockDelta, ResponseContentBlock, StreamEvent } from "./protocol.js";
import { toMessageId, toStopReason, toToolUseId, toWireUsage } from "./serving.js";

type OpenBlockKind = "thinking" | "text" | "tool_use";

/** Turns the resolver's events into Anthropic stream events; it remembers which block is open. */
export class MessageStreamTranslation {
  private blockIndex = -1;
  private openBlock: OpenBlockKind | undefined;

  translate(event: ChatCompletionEvent): StreamEvent[] {
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
        if (event.finishReason === "error" || event.finishReason === "cancelled") return [];
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

export async function streamMessageEvents(
  context: RouteContext,
  events: AsyncGenerator<ChatCompletionEvent>,
): Promise<void> {
  // The resolver got the same signal, which already stops generation; returning the iterator also
  // releases it when it is between events.
  const stop = () => void events.return(undefined).catch(() => undefined);
  context.signal.addEventListener("abort", stop, { once: true });
  const translation = new MessageStreamTranslation();
  const sendAll = async (sse: SseStream, event: ChatCompletionEvent) => {
    for (const message of translation.translate(event)) await sse.sendEvent(message.type, message);
    if (event.type === "finished" && event.finishReason === "error")
      throw new Error(`generation ${event.id} failed after it started`);
  };
  try {
    const first = await events.next();
    if (first.done) throw new Error("The event stream ended before it started");
    const sse = new SseStream(context.response);
    if (sse.closed) return;
    sse.open();
    try {
      await sendAll(sse, first.value);
      while (!sse.closed) {
        const next = await events.next();
        if (next.done) break;
        await sendAll(sse, next.value);
      }
    } catch (error) {
      // Headers are out: the error travels as an `error` event, as Anthropic's streams carry it.
      context.logger.error({ err: error }, "anthropic: stream failed");
      await sse.sendEvent("error", internalError().body());
    }
    sse.end();
  } finally {
    context.signal.removeEventListener("abort", stop);
    await events.return(undefined).catch(() => undefined);
  }
}
