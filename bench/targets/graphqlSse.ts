// inferql's GraphQL `chatCompletion` subscription over SSE (graphql-sse, one connection per stream).
import { createClient } from "graphql-sse";
import { CHAT_SUBSCRIPTION, chatVariables, toStreamEvent } from "./graphqlChat.js";
import type { BenchRequest, StreamEvent, Target, TargetSession } from "./target.js";

export function graphqlSseTarget(baseUrl: string): Target {
  return {
    name: "graphql-sse",
    description: "inferql GraphQL subscription chatCompletion over SSE (graphql-sse, distinct connections)",
    async open(): Promise<TargetSession> {
      const client = createClient({
        url: `${baseUrl}/graphql`,
        fetchFn: fetch,
        retryAttempts: 0,
        singleConnection: false,
      });
      return {
        async *stream(request: BenchRequest): AsyncGenerator<StreamEvent> {
          const results = client.iterate({ query: CHAT_SUBSCRIPTION, variables: chatVariables(request) });
          for await (const result of results) {
            const event = toStreamEvent(result as Parameters<typeof toStreamEvent>[0]);
            if (event) yield event;
          }
        },
        async close() {
          client.dispose();
        },
      };
    },
  };
}
