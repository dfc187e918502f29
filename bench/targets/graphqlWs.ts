// inferql's GraphQL `chatCompletion` subscription over graphql-ws (one WebSocket for all streams).
import { createClient } from "graphql-ws";
import { WebSocket } from "ws";
import { graphqlChatSession } from "./graphqlChat.js";
import type { Target, TargetSession } from "./target.js";

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
      return graphqlChatSession(client);
    },
  };
}
