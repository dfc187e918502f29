// Folds the pieces streamed since the last paint into a reply: text appended, tool calls grown by index.
import type { ToolCallDeltaEvent } from "./streamChat.js";
import type { Reply, ToolCall } from "./types.js";

export interface UnpaintedPieces {
  reasoning: string;
  content: string;
  toolCallDeltas: ToolCallDeltaEvent[];
}

export const noPieces = (): UnpaintedPieces => ({ reasoning: "", content: "", toolCallDeltas: [] });

function withToolCallDelta(calls: ToolCall[], delta: ToolCallDeltaEvent): ToolCall[] {
  const call = calls[delta.index] ?? { id: "", name: "", arguments: "" };
  calls[delta.index] = {
    ...call,
    id: delta.callId ?? call.id,
    name: delta.name ?? call.name,
    arguments: call.arguments + delta.argumentsDelta,
  };
  return calls;
}

export function withPieces(reply: Reply, pieces: UnpaintedPieces): Reply {
  if (!pieces.reasoning && !pieces.content && pieces.toolCallDeltas.length === 0) return reply;
  return {
    ...reply,
    reasoning: reply.reasoning + pieces.reasoning,
    content: reply.content + pieces.content,
    toolCalls:
      pieces.toolCallDeltas.length === 0
        ? reply.toolCalls
        : pieces.toolCallDeltas.reduce(withToolCallDelta, [...reply.toolCalls]),
  };
}
