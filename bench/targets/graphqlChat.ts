// The chat subscription both GraphQL targets send, and how its results become stream events.
import type { BenchRequest, StreamEvent, TargetSession } from "./target.js";

export const CHAT_SUBSCRIPTION = /* GraphQL */ `
  subscription BenchChat($input: ChatCompletionInput!) {
    chatCompletion(input: $input) {
      __typename
      ... on ContentDelta {
        content
      }
      ... on GenerationFinished {
        usage {
          promptTokens
          completionTokens
          cachedPromptTokens
        }
      }
    }
  }
`;

export function chatVariables(request: BenchRequest): Record<string, unknown> {
  return {
    input: {
      messages: [{ role: "USER", content: request.prompt }],
      maxTokens: request.maxTokens,
      seed: request.seed,
      temperature: request.temperature,
    },
  };
}

interface ChatResult {
  data?: { chatCompletion?: ChatEventData } | null;
  errors?: readonly { message: string }[];
}

type ChatEventData =
  | { __typename: "ContentDelta"; content: string }
  | {
      __typename: "GenerationFinished";
      usage: { promptTokens: number; completionTokens: number; cachedPromptTokens: number };
    }
  | { __typename: "GenerationStarted" | "ToolCallDelta" };

/** One subscription result as a stream event; undefined for events the benchmark ignores. */
export function toStreamEvent(result: ChatResult): StreamEvent | undefined {
  if (result.errors?.length) throw new Error(`GraphQL error: ${result.errors[0].message}`);
  const event = result.data?.chatCompletion;
  if (event?.__typename === "ContentDelta") return { type: "delta", text: event.content };
  if (event?.__typename === "GenerationFinished") return { type: "usage", ...event.usage };
  return undefined;
}

/** The part of the graphql-ws and graphql-sse clients a session needs: both iterate the same way. */
interface IteratingClient {
  iterate(request: { query: string; variables: Record<string, unknown> }): AsyncIterable<unknown>;
  dispose(): void | Promise<void>;
}

/** A bench session streaming the chat subscription through either GraphQL client. */
export function graphqlChatSession(client: IteratingClient): TargetSession {
  return {
    async *stream(request: BenchRequest): AsyncGenerator<StreamEvent> {
      for await (const result of client.iterate({
        query: CHAT_SUBSCRIPTION,
        variables: chatVariables(request),
      })) {
        const event = toStreamEvent(result as ChatResult);
        if (event) yield event;
      }
    },
    async close() {
      await client.dispose();
    },
  };
}
