// What chat and text generations share: the stream's event interface and its start event, finish
// reasons, usage, timings, token log-probabilities, and cancellation by id.

import type { FieldRef } from "@pothos/core";
import type {
  ChatCompletionEvent,
  Completion,
  CompletionEvent,
  FinishReason,
  Timings,
  Usage,
} from "../../resolvers/index.js";
import { type BuilderTypes, builder } from "./builder.js";
import { DateTimeScalar } from "./scalars.js";

export type GenerationStreamEvent = ChatCompletionEvent | CompletionEvent;
type StartedEvent = Extract<GenerationStreamEvent, { type: "started" }>;
export type TokenLogprob = NonNullable<Completion["logprobs"]>[number];
type TopLogprob = TokenLogprob["topLogprobs"][number];

/** The GraphQL object type of a stream event (used by the event unions and the interface). */
export function eventTypeName(event: GenerationStreamEvent): string {
  switch (event.type) {
    case "started":
      return "GenerationStarted";
    case "contentDelta":
      return "ContentDelta";
    case "reasoningDelta":
      return "ReasoningDelta";
    case "toolCallDelta":
      return "ToolCallDelta";
    case "textDelta":
      return "TextDelta";
    case "finished":
      return "toolCalls" in event ? "GenerationFinished" : "CompletionFinished";
  }
}

export const GenerationEventRef = builder.interfaceRef<GenerationStreamEvent>("GenerationEvent").implement({
  description: "An event of a generation's stream; every event names its generation.",
  resolveType: eventTypeName,
  fields: (t) => ({
    id: t.exposeID("id", {
      description: "The generation's id: pass it to `cancelGeneration` to stop the generation.",
    }),
  }),
});

export const FinishReasonEnum = builder.enumType("FinishReason", {
  description: "Why a generation ended.",
  values: {
    STOP: { value: "stop", description: "The model ended its answer, or a stop sequence matched." },
    LENGTH: { value: "length", description: "`maxTokens` (or the context size) was reached." },
    TIMEOUT: {
      value: "timeout",
      description:
        "The server's request timeout (`--request-timeout`, time spent queued included) ended the generation; the output is cut off.",
    },
    TOOL_CALLS: { value: "tool_calls", description: "The model called tools; see `toolCalls`." },
    CANCELLED: { value: "cancelled", description: "The client or `cancelGeneration` stopped it." },
    ERROR: { value: "error", description: "The generation failed after it had started." },
  } satisfies Record<string, { value: FinishReason; description: string }>,
});

export const UsageRef = builder.objectRef<Usage>("Usage").implement({
  description: "Token counts of a generation.",
  fields: (t) => ({
    promptTokens: t.exposeInt("promptTokens", {
      description: "Tokens of the prompt, as the chat template rendered it.",
    }),
    completionTokens: t.exposeInt("completionTokens", { description: "Tokens generated." }),
    reasoningTokens: t.exposeInt("reasoningTokens", {
      description:
        "Of completionTokens, those the model reasoned with (inside its reasoning markers, which are not counted); 0 when it did not reason.",
    }),
    totalTokens: t.exposeInt("totalTokens", { description: "promptTokens + completionTokens." }),
    cachedPromptTokens: t.exposeInt("cachedPromptTokens", {
      description: "Prompt tokens reused from the slot's KV cache instead of evaluated (see `cachePrompt`).",
    }),
  }),
});

export const TimingsRef = builder.objectRef<Timings>("Timings").implement({
  description: "Where a generation's time went.",
  fields: (t) => ({
    queueMs: t.exposeFloat("queueMs", { description: "Milliseconds queued before a slot was free." }),
    promptMs: t.exposeFloat("promptMs", {
      description: "Milliseconds evaluating the uncached prompt tokens and sampling the first token.",
    }),
    generationMs: t.exposeFloat("generationMs", {
      description: "Milliseconds from the first to the last token.",
    }),
    promptTokensPerSecond: t.exposeFloat("promptTokensPerSecond", {
      description: "Uncached prompt tokens evaluated per second.",
    }),
    generatedTokensPerSecond: t.exposeFloat("generatedTokensPerSecond", {
      description: "Tokens generated per second.",
    }),
  }),
});

const TopLogprobRef = builder.objectRef<TopLogprob>("TopLogprob").implement({
  description: "An alternative the model considered for a position.",
  fields: (t) => ({
    token: t.exposeString("token", { description: "The alternative token's text." }),
    logprob: t.exposeFloat("logprob", { description: "Its natural-log probability." }),
    bytes: t.exposeIntList("bytes", {
      description: "Its UTF-8 bytes (a token may hold part of a character).",
    }),
  }),
});

export const TokenLogprobRef = builder.objectRef<TokenLogprob>("TokenLogprob").implement({
  description: "A generated token with its log-probability and the most likely alternatives.",
  fields: (t) => ({
    token: t.exposeString("token", { description: "The token's text." }),
    logprob: t.exposeFloat("logprob", { description: "Its natural-log probability." }),
    bytes: t.exposeIntList("bytes", {
      description: "Its UTF-8 bytes (a token may hold part of a character).",
    }),
    topLogprobs: t.expose("topLogprobs", {
      type: [TopLogprobRef],
      description: "The most likely alternatives, as many as requested.",
    }),
  }),
});

/** How a generation ended: the fields every result and every stream's last event share. */
export function outcomeFields(
  t: PothosSchemaTypes.ObjectFieldBuilder<
    BuilderTypes,
    { finishReason: FinishReason; usage: Usage; timings: Timings }
  >,
): Record<"finishReason" | "usage" | "timings", FieldRef<BuilderTypes, unknown, "Object">> {
  return {
    finishReason: t.expose("finishReason", { type: FinishReasonEnum, description: "Why generation ended." }),
    usage: t.expose("usage", { type: UsageRef, description: "Token counts." }),
    timings: t.expose("timings", { type: TimingsRef, description: "Where the time went." }),
  };
}

/** The per-token log-probabilities of a whole result. */
export function resultLogprobsField<T extends { logprobs?: TokenLogprob[] }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, T>,
): FieldRef<BuilderTypes, readonly TokenLogprob[] | null | undefined, "Object"> {
  return t.field({
    type: [TokenLogprobRef],
    nullable: true,
    description: "Per generated token, when requested with `logprobs`.",
    resolve: (parent) => parent.logprobs,
  });
}

export const GenerationStartedRef = builder.objectRef<StartedEvent>("GenerationStarted").implement({
  description: "First event of a stream: the generation has a slot and has evaluated its prompt.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    model: t.exposeID("model", { description: "The model generating." }),
    createdAt: t.field({
      type: DateTimeScalar,
      description: "When the generation was created.",
      resolve: (event) => new Date(event.created * 1000),
    }),
    promptTokens: t.exposeInt("promptTokens", { description: "Tokens of the prompt." }),
    cachedPromptTokens: t.exposeInt("cachedPromptTokens", {
      description: "Prompt tokens reused from the slot's KV cache.",
    }),
  }),
});

builder.mutationFields((t) => ({
  cancelGeneration: t.boolean({
    description:
      "Stops a running or queued generation; its stream finishes with CANCELLED. False when no generation has this id (it may have finished) or another API key started it (an admin key may cancel any).",
    args: {
      id: t.arg.id({
        required: true,
        description: "The generation's id, from GenerationStarted or the result.",
      }),
    },
    resolve: (_root, { id }, { resolvers, origin }) => resolvers.cancelGeneration(String(id), { origin }),
  }),
}));
