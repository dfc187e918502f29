// The chat resolver's events as a response's streamed events: the response created and in progress,
// then one output item at a time (reasoning, a message, or a function call), each opened, filled by
// deltas and closed, and the response completed, incomplete or failed. The same assembly builds the
// non-streamed response, so both carry the same output.

import { newId } from "../../../resolvers/ids.js";
import type { ChatCompletionEvent, FinishReason } from "../../../resolvers/index.js";
import { toWireLogprobs } from "../chat/serving.js";
import type {
  ItemStatus,
  ResponseStatus,
  ResponseStreamEvent,
  WireFunctionCallItem,
  WireMessageItem,
  WireOutputItem,
  WireOutputLogprob,
  WireReasoningItem,
  WireResponse,
} from "./protocol.js";
import type { ConversationMessage } from "./responseStore.js";
import { toWireResponseUsage } from "./serving.js";

type OpenItem =
  | { item: WireMessageItem; text: string; logprobs: WireOutputLogprob[] }
  | { item: WireReasoningItem; text: string }
  | { item: WireFunctionCallItem };

export interface AssembledResponse {
  response: WireResponse;
  /** The assistant turn, as the next request's conversation continues it. */
  answer: ConversationMessage;
}

export class ResponseAssembly {
  private response: WireResponse | undefined;
  private readonly output: WireOutputItem[] = [];
  private open: OpenItem | undefined;
  private assembled: AssembledResponse | undefined;

  /** `start` makes the in-progress response once the resolver names the model. */
  constructor(private readonly start: (model: string) => WireResponse) {}

  /** The finished response, once the resolver's finished event has come. */
  get result(): AssembledResponse | undefined {
    return this.assembled;
  }

  translate(event: ChatCompletionEvent): ResponseStreamEvent[] {
    switch (event.type) {
      case "started":
        this.response = this.start(event.model);
        return [
          { type: "response.created", response: this.snapshot() },
          { type: "response.in_progress", response: this.snapshot() },
        ];
      case "reasoningDelta":
        return this.appendText("reasoning", event.reasoning);
      case "contentDelta":
        return this.appendText("message", event.content, event.logprobs);
      case "toolCallDelta": {
        const events: ResponseStreamEvent[] = [];
        if (event.name !== undefined)
          events.push(
            ...this.openItem({
              item: {
                type: "function_call",
                id: newId("fc_"),
                status: "in_progress",
                call_id: event.callId ?? newId("call_"),
                name: event.name,
                arguments: "",
              },
            }),
          );
        const open = this.open;
        if (event.argumentsDelta && open?.item.type === "function_call") {
          open.item.arguments += event.argumentsDelta;
          events.push({
            type: "response.function_call_arguments.delta",
            item_id: open.item.id,
            output_index: this.output.length,
            delta: event.argumentsDelta,
          });
        }
        return events;
      }
      case "finished":
        return this.finish(event);
    }
  }

  /** A failure after the stream started: the response failed. */
  fail(): ResponseStreamEvent[] {
    const events = this.closeOpen("incomplete");
    this.setFinal("failed", null);
    return [...events, { type: "response.failed", response: this.snapshot() }];
  }

  private finish(event: ChatCompletionEvent & { type: "finished" }): ResponseStreamEvent[] {
    const status = toResponseStatus(event.finishReason);
    const events = this.closeOpen(status === "completed" ? "completed" : "incomplete");
    this.setFinal(status, event);
    const response = this.snapshot();
    this.assembled = {
      response,
      answer: {
        role: "assistant",
        content: event.content,
        reasoning: event.reasoning,
        toolCalls: event.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        })),
      },
    };
    const type =
      status === "completed"
        ? "response.completed"
        : status === "failed"
          ? "response.failed"
          : "response.incomplete";
    return [...events, { type, response }];
  }

  private setFinal(status: ResponseStatus, event: (ChatCompletionEvent & { type: "finished" }) | null): void {
    const response = this.requireResponse();
    response.status = status;
    response.output = this.output;
    response.completed_at = Math.floor(Date.now() / 1000);
    if (status === "incomplete") response.incomplete_details = { reason: "max_output_tokens" };
    if (status === "failed") response.error = { code: "server_error", message: "Internal server error" };
    if (event) response.usage = toWireResponseUsage(event.totalUsage ?? event.usage);
  }

  private appendText(
    kind: "message" | "reasoning",
    delta: string,
    tokenLogprobs?: Parameters<typeof toWireLogprobs>[0],
  ): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    if (this.open?.item.type !== kind) events.push(...this.openItem(newTextItem(kind)));
    const open = this.open as Extract<OpenItem, { text: string }>;
    open.text += delta;
    const at = { item_id: open.item.id, output_index: this.output.length, content_index: 0 };
    if ("logprobs" in open) {
      const logprobs = tokenLogprobs ? toWireLogprobs(tokenLogprobs).content : [];
      open.logprobs.push(...logprobs);
      events.push({ type: "response.output_text.delta", ...at, delta, logprobs });
    } else events.push({ type: "response.reasoning_text.delta", ...at, delta });
    return events;
  }

  private openItem(open: OpenItem): ResponseStreamEvent[] {
    const events = this.closeOpen("completed");
    this.open = open;
    const output_index = this.output.length;
    events.push({ type: "response.output_item.added", output_index, item: structuredClone(open.item) });
    if (open.item.type !== "function_call")
      events.push({
        type: "response.content_part.added",
        item_id: open.item.id,
        output_index,
        content_index: 0,
        part: emptyPart(open.item.type),
      });
    return events;
  }

  private closeOpen(status: ItemStatus): ResponseStreamEvent[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const output_index = this.output.length;
    const events: ResponseStreamEvent[] = [];
    const at = { item_id: open.item.id, output_index };
    if (open.item.type === "function_call") {
      const { arguments: args, name } = open.item;
      events.push({ type: "response.function_call_arguments.done", ...at, arguments: args, name });
    } else if ("text" in open) {
      const { text } = open;
      if ("logprobs" in open) {
        const { logprobs } = open;
        const part = { type: "output_text" as const, text, annotations: [], logprobs };
        events.push(
          { type: "response.output_text.done", ...at, content_index: 0, text, logprobs },
          { type: "response.content_part.done", ...at, content_index: 0, part },
        );
        open.item.content = [part];
      } else {
        const part = { type: "reasoning_text" as const, text };
        events.push(
          { type: "response.reasoning_text.done", ...at, content_index: 0, text },
          { type: "response.content_part.done", ...at, content_index: 0, part },
        );
        open.item.content = [part];
      }
    }
    open.item.status = status;
    this.output.push(open.item);
    events.push({ type: "response.output_item.done", output_index, item: open.item });
    return events;
  }

  private requireResponse(): WireResponse {
    if (!this.response) throw new Error("The response stream ended before it started");
    return this.response;
  }

  private snapshot(): WireResponse {
    return structuredClone(this.requireResponse());
  }
}

function newTextItem(kind: "message" | "reasoning"): OpenItem {
  return kind === "message"
    ? {
        item: { type: "message", id: newId("msg_"), status: "in_progress", role: "assistant", content: [] },
        text: "",
        logprobs: [],
      }
    : {
        item: { type: "reasoning", id: newId("rs_"), status: "in_progress", summary: [], content: [] },
        text: "",
      };
}

function emptyPart(kind: "message" | "reasoning") {
  return kind === "message"
    ? { type: "output_text" as const, text: "", annotations: [], logprobs: [] }
    : { type: "reasoning_text" as const, text: "" };
}

/** A limit that cut the output off (tokens or time) leaves the response incomplete. */
function toResponseStatus(reason: FinishReason): ResponseStatus {
  switch (reason) {
    case "stop":
    case "tool_calls":
      return "completed";
    case "length":
    case "timeout":
      return "incomplete";
    case "cancelled":
      return "cancelled";
    case "error":
      return "failed";
  }
}
