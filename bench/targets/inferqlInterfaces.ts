// inferql's own interfaces as bench targets: the names, and the target each one is on a given server.
import { graphqlSseTarget } from "./graphqlSse.js";
import { graphqlWsTarget } from "./graphqlWs.js";
import { openAiSseTarget } from "./openaiSse.js";
import type { Target } from "./target.js";
import { trpcSseTarget } from "./trpcSse.js";

/**
 * The targets a run measures on an inferql server it starts (issue #17's "every interface"). The
 * other targets are anchors (`direct`, llama-server) or servers given with `--target`.
 */
export const INFERQL_INTERFACES = ["graphql-ws", "graphql-sse", "trpc-sse", "openai-sse"] as const;
export type InferqlInterface = (typeof INFERQL_INTERFACES)[number];

export function isInferqlInterface(name: string): name is InferqlInterface {
  return (INFERQL_INTERFACES as readonly string[]).includes(name);
}

/** The interface `name` of the inferql server at `baseUrl`; `model` is the one OpenAI SSE asks for. */
export function inferqlInterfaceTarget(name: InferqlInterface, baseUrl: string, model: string): Target {
  switch (name) {
    case "graphql-ws":
      return graphqlWsTarget(baseUrl);
    case "graphql-sse":
      return graphqlSseTarget(baseUrl);
    case "trpc-sse":
      return trpcSseTarget(baseUrl);
    case "openai-sse":
      return openAiSseTarget({
        name,
        description: "inferql OpenAI-compatible /v1/chat/completions, stream: true, official openai client",
        baseUrl,
        model,
      });
  }
}
