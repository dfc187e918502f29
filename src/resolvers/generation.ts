// Runs one generation through the scheduler and normalizes its events for chat and completion:
// errors before the start are thrown, errors after it end the stream with finish reason "error".
import { toDomainError } from "../errors.js";
import type {
  GenerationRequest,
  GenerationTimings,
  OutputChannel,
  TokenLogprob,
} from "../inference/types.js";
import type { InferenceDeps } from "./context.js";

/**
 * "length": maxTokens or the context size cut the output; "timeout": the server's request timeout
 * (`--request-timeout`, queueing included) ended it.
 */
export type FinishReason = "stop" | "length" | "timeout" | "tool_calls" | "cancelled" | "error";

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Of completionTokens, those the model reasoned with (between its reasoning markers). */
  reasoningTokens: number;
  totalTokens: number;
  cachedPromptTokens: number;
}

export type Timings = GenerationTimings;

export type GenerationStreamEvent =
  | { type: "started"; promptTokens: number; cachedPromptTokens: number }
  | { type: "text"; channel: OutputChannel; text: string; logprobs?: TokenLogprob[] }
  | { type: "toolCall"; index: number; name?: string; argumentsDelta: string }
  | {
      type: "finished";
      finishReason: FinishReason;
      usage: Usage;
      timings: Timings;
      stopSequence?: string;
      /** The complete tool calls the model made. */
      toolCalls: readonly { name: string; arguments: string }[];
    };

/** The timings of a generation that ended before it produced any. */
export const NO_TIMINGS: Timings = {
  queueMs: 0,
  promptMs: 0,
  generationMs: 0,
  promptTokensPerSecond: 0,
  generatedTokensPerSecond: 0,
};

export async function* streamGeneration(
  deps: InferenceDeps,
  request: GenerationRequest,
  signal?: AbortSignal,
): AsyncGenerator<GenerationStreamEvent> {
  let started: { promptTokens: number; cachedPromptTokens: number } | undefined;
  let completionTokens = 0;
  let reasoningTokens = 0;
  try {
    for await (const event of deps.scheduler.generate(request, signal)) {
      if (event.type === "started") {
        started = { promptTokens: event.promptTokens, cachedPromptTokens: event.cachedPromptTokens };
        yield { type: "started", ...started };
      } else if (event.type === "text") {
        completionTokens += event.tokenCount;
        if (event.channel === "reasoning") reasoningTokens += event.tokenCount;
        if (event.text || event.logprobs?.length)
          yield { type: "text", channel: event.channel, text: event.text, logprobs: event.logprobs };
      } else if (event.type === "toolCall") {
        completionTokens += event.tokenCount;
        const { index, name, argumentsDelta } = event;
        yield { type: "toolCall", index, ...(name !== undefined ? { name } : {}), argumentsDelta };
      } else {
        const { promptTokens, completionTokens: generated, cachedPromptTokens } = event.usage;
        yield {
          type: "finished",
          finishReason: event.reason,
          usage: {
            promptTokens,
            completionTokens: generated,
            reasoningTokens: event.usage.reasoningTokens,
            totalTokens: promptTokens + generated,
            cachedPromptTokens,
          },
          timings: event.timings,
          stopSequence: event.stopSequence,
          toolCalls: event.toolCalls,
        };
      }
    }
  } catch (error) {
    if (!started) throw toDomainError(error);
    yield {
      type: "finished",
      finishReason: "error",
      usage: {
        promptTokens: started.promptTokens,
        completionTokens,
        // The tokens that came as reasoning text before the failure (the markers' included).
        reasoningTokens,
        totalTokens: started.promptTokens + completionTokens,
        cachedPromptTokens: started.cachedPromptTokens,
      },
      timings: NO_TIMINGS,
      toolCalls: [],
    };
  }
}
