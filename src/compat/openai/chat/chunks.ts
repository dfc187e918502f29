// Chat completion events as chat.completion.chunk messages: the role first, then content, reasoning
// (`reasoning_content`, as llama-server and vLLM stream it) or tool-call deltas (id, type and name first, then argument fragments), the finish reason,
// and a usage chunk with no choices when the client asked for one.
import type { Logger } from "pino";
import type { ChatCompletionEvent } from "../../../resolvers/index.js";
import type { EventTranslation } from "../http/streamAsSse.js";
import { type ChunkHeader, chunkHeader, streamEndMessages } from "../shared/streamChunks.js";
import type { ChatCompletionChunk, WireToolCallDelta } from "./protocol.js";
import { toWireLogprobs } from "./serving.js";

type Choice = ChatCompletionChunk["choices"][number];

export function chatChunkTranslation(options: {
  includeUsage: boolean;
  logger: Logger;
}): EventTranslation<ChatCompletionEvent> {
  let header: ChunkHeader<"chat.completion.chunk">;
  const chunk = (choice: Partial<Choice>): ChatCompletionChunk => ({
    ...header,
    choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: null, ...choice }],
  });
  const toolCallChunk = (delta: WireToolCallDelta) => chunk({ delta: { tool_calls: [delta] } });

  return (event) => {
    switch (event.type) {
      case "started":
        header = chunkHeader(event, "chat.completion.chunk");
        return [chunk({ delta: { role: "assistant", content: "" } })];
      case "reasoningDelta":
        return [chunk({ delta: { reasoning_content: event.reasoning } })];
      case "contentDelta":
        return [
          chunk({
            delta: { content: event.content },
            logprobs: event.logprobs ? toWireLogprobs(event.logprobs) : null,
          }),
        ];
      case "toolCallDelta": {
        const { index, callId, name, argumentsDelta } = event;
        const chunks: ChatCompletionChunk[] = [];
        if (name !== undefined)
          chunks.push(
            toolCallChunk({ index, id: callId, type: "function", function: { name, arguments: "" } }),
          );
        if (argumentsDelta) chunks.push(toolCallChunk({ index, function: { arguments: argumentsDelta } }));
        return chunks;
      }
      case "finished":
        return streamEndMessages(event, {
          ...options,
          header,
          finishChoice: (reason): Choice => ({ index: 0, delta: {}, logprobs: null, finish_reason: reason }),
        });
    }
  };
}
