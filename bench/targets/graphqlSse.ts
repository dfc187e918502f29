// inferql's GraphQL `chatCompletion` subscription over SSE (graphql-sse, one connection per stream).
import { createClient } from "graphql-sse";
import { graphqlChatSession } from "./graphqlChat.js";
import type { Target, TargetSession } from "./target.js";

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
      return graphqlChatSession(client);
    },
  };
}
