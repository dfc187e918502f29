// The chat subscription both GraphQL targets send, and how its results become stream events.
import type { BenchRequest, StreamEvent } from "./target.js";

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
