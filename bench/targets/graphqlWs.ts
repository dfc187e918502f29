// inferql's GraphQL `chatCompletion` subscription over graphql-ws (one WebSocket for all streams).
import { createClient } from "graphql-ws";
import { WebSocket } from "ws";
import { CHAT_SUBSCRIPTION, chatVariables, toStreamEvent } from "./graphqlChat.js";
import type { BenchRequest, StreamEvent, Target, TargetSession } from "./target.js";

export function graphqlWsTarget(baseUrl: string): Target {
  return {
    name: "graphql-ws",
    description: "inferql GraphQL subscription chatCompletion over graphql-ws (WebSocket)",
    async open(): Promise<TargetSession> {
      const client = createClient({
        url: `${baseUrl.replace(/^http/, "ws")}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
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
          await client.dispose();
        },
      };
    },
  };
}
