// Completion events as text_completion chunks: text deltas, the finish reason, and a usage chunk
// with no choices when the client asked for one.
import type { Logger } from "pino";
import type { CompletionEvent } from "../../../resolvers/index.js";
import type { EventTranslation } from "../http/streamAsSse.js";
import { type ChunkHeader, chunkHeader, streamEndMessages } from "../shared/streamChunks.js";
import type { CompletionChoice, CompletionResponse } from "./protocol.js";
import { CompletionLogprobsWriter } from "./serving.js";

export function completionChunkTranslation(options: {
  prompt: string | readonly number[];
  includeUsage: boolean;
  logger: Logger;
}): EventTranslation<CompletionEvent> {
  const logprobs = new CompletionLogprobsWriter(options.prompt);
  let header: ChunkHeader<"text_completion">;
  const choice = (fields: Partial<CompletionChoice>): CompletionChoice => ({
    index: 0,
    text: "",
    logprobs: null,
    finish_reason: null,
    ...fields,
  });

  return (event) => {
    switch (event.type) {
      case "started":
        header = chunkHeader(event, "text_completion");
        return [];
      case "textDelta": {
        const chunk: CompletionResponse = {
          ...header,
          choices: [
            choice({ text: event.text, logprobs: event.logprobs ? logprobs.write(event.logprobs) : null }),
          ],
        };
        return [chunk];
      }
      case "finished":
        return streamEndMessages(event, {
          ...options,
          header,
          finishChoice: (reason) => choice({ finish_reason: reason }),
        });
    }
  };
}
