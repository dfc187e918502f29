// What GraphiQL (GET /graphql in a browser) opens with (a chat subscription that streams tokens),
// and how its page is rendered.
import type { GraphiQLOptions } from "graphql-yoga";

export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to inferql. Press ▶ to stream a chat answer token by token
# (subscriptions run over SSE here; graphql-ws clients use ws://<host>/graphql).
# The Docs panel lists every type; models { id loraAdapters { name } } lists what is served.

subscription StreamChat {
  chatCompletion(
    input: {
      messages: [
        { role: SYSTEM, content: "You are a concise assistant." }
        { role: USER, content: "Write a haiku about llamas." }
      ]
      maxTokens: 48
      temperature: 0.7
    }
  ) {
    __typename
    ... on GenerationStarted { id model promptTokens cachedPromptTokens }
    ... on ContentDelta { content }
    ... on ToolCallDelta { index name argumentsDelta }
    ... on GenerationFinished {
      finishReason
      fullContent
      usage { promptTokens completionTokens totalTokens }
      timings { promptMs generatedTokensPerSecond }
    }
  }
}
`;

/**
 * GraphiQL with its scripts and styles inlined from @graphql-yoga/render-graphiql, so it works
 * offline (yoga's default loads them from a CDN). That module is ~9 MB of JavaScript: it is imported
 * when GraphiQL is first asked for, not at start-up, and the page is rendered once per options.
 */
export function createOfflineGraphiqlRenderer(): (options?: GraphiQLOptions) => Promise<string> {
  const pages = new Map<string, Promise<string>>();
  return (options) => {
    const key = JSON.stringify(options ?? {});
    let page = pages.get(key);
    if (page === undefined) {
      page = import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => renderGraphiQL(options));
      pages.set(key, page);
    }
    return page;
  };
}
