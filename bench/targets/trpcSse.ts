// inferql's tRPC `chat.stream` subscription over SSE, through the typed client inferql ships.
import { createInferqlClient } from "../../src/client/index.js";
import type { ChatCompletionEvent } from "../../src/resolvers/index.js";
import type { BenchRequest, StreamEvent, Target, TargetSession } from "./target.js";
import { toAsyncIterable } from "./toAsyncIterable.js";

export function trpcSseTarget(baseUrl: string): Target {
  return {
    name: "trpc-sse",
    description: "inferql tRPC subscription chat.stream over SSE (createInferqlClient)",
    async open(): Promise<TargetSession> {
      const client = createInferqlClient(baseUrl);
      return {
        async *stream(request: BenchRequest): AsyncGenerator<StreamEvent> {
          const events = toAsyncIterable<ChatCompletionEvent>((sink) => {
            const subscription = client.chat.stream.subscribe(
              {
                messages: [{ role: "user", content: request.prompt }],
                maxTokens: request.maxTokens,
                seed: request.seed,
                temperature: request.temperature,
              },
              { onData: sink.next, onError: sink.error, onComplete: sink.complete },
            );
            return () => subscription.unsubscribe();
          });
          for await (const event of events) {
            if (event.type === "contentDelta") yield { type: "delta", text: event.content };
            else if (event.type === "finished") {
              yield {
                type: "usage",
                promptTokens: event.usage.promptTokens,
                completionTokens: event.usage.completionTokens,
                cachedPromptTokens: event.usage.cachedPromptTokens,
              };
              return;
            }
          }
        },
        async close() {},
      };
    },
  };
}
