// Chat completion events as chat.completion.chunk messages: the role of each choice first, then
// content, reasoning (`reasoning_content`, as llama-server and vLLM stream it) or tool-call deltas
// (id, type and name first, then argument fragments), each carrying its choice's index; each
// choice's finish reason; and after the last, a usage chunk with no choices when the client asked.
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
  const chunk = (index: number, choice: Partial<Choice>): ChatCompletionChunk => ({
    ...header,
    choices: [{ index, delta: {}, logprobs: null, finish_reason: null, ...choice }],
  });
  const toolCallChunk = (index: number, delta: WireToolCallDelta) =>
    chunk(index, { delta: { tool_calls: [delta] } });

  return (event) => {
    switch (event.type) {
      case "started":
        header = chunkHeader(event, "chat.completion.chunk");
        return Array.from({ length: event.choiceCount }, (_, index) =>
          chunk(index, { delta: { role: "assistant", content: "" } }),
        );
      case "reasoningDelta":
        return [chunk(event.choiceIndex, { delta: { reasoning_content: event.reasoning } })];
      case "contentDelta":
        return [
          chunk(event.choiceIndex, {
            delta: { content: event.content },
            logprobs: event.logprobs ? toWireLogprobs(event.logprobs) : null,
          }),
        ];
      case "toolCallDelta": {
        const { choiceIndex, index, callId, name, argumentsDelta } = event;
        const chunks: ChatCompletionChunk[] = [];
        if (name !== undefined)
          chunks.push(
            toolCallChunk(choiceIndex, {
              index,
              id: callId,
              type: "function",
              function: { name, arguments: "" },
            }),
          );
        if (argumentsDelta)
          chunks.push(toolCallChunk(choiceIndex, { index, function: { arguments: argumentsDelta } }));
        return chunks;
      }
      case "finished":
        return streamEndMessages(event, {
          ...options,
          header,
          finishChoice: (reason): Choice => ({
            index: event.choiceIndex,
            delta: {},
            logprobs: null,
            finish_reason: reason,
          }),
          streamUsage: event.totalUsage ?? null,
        });
    }
  };
}
