// Chat completion: the result of the mutation, and the typed events of the subscription's stream.
import type {
  AssembledToolCall,
  ChatChoice,
  ChatCompletion,
  ChatCompletionEvent,
} from "../../resolvers/index.js";
import { type BuilderTypes, builder } from "./builder.js";
import { ChatCompletionInputRef, toChatCompletionInput } from "./chatInput.js";
import {
  eventTypeName,
  GenerationEventRef,
  GenerationStartedRef,
  outcomeFields,
  resultLogprobsField,
  TokenLogprobRef,
  UsageRef,
} from "./generation.js";
import { DateTimeScalar } from "./scalars.js";
import { eventOrThrow, subscriptionSource } from "./subscriptionStream.js";

type ContentDeltaEvent = Extract<ChatCompletionEvent, { type: "contentDelta" }>;
type ReasoningDeltaEvent = Extract<ChatCompletionEvent, { type: "reasoningDelta" }>;
type ToolCallDeltaEvent = Extract<ChatCompletionEvent, { type: "toolCallDelta" }>;
type FinishedEvent = Extract<ChatCompletionEvent, { type: "finished" }>;

const ToolCallRef = builder.objectRef<AssembledToolCall>("ToolCall").implement({
  description: "A tool call the model made.",
  fields: (t) => ({
    id: t.exposeID("id", {
      description: "The call's id; a TOOL message answering it repeats it as `toolCallId`.",
    }),
    name: t.exposeString("name", { description: "The tool called." }),
    arguments: t.exposeString("arguments", {
      description: "The arguments as JSON text. A call cut off by `maxTokens` is never listed.",
    }),
  }),
});

const ChatChoiceRef = builder.objectRef<ChatChoice>("ChatChoice").implement({
  description: "One of a chat answer's choices (`n` asks for several).",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Which choice (0-based)." }),
    content: t.exposeString("content", {
      nullable: true,
      description: "The choice's text; null when the model called tools instead.",
    }),
    reasoning: t.exposeString("reasoning", {
      nullable: true,
      description: "The model's reasoning before this choice's answer; null when there was none.",
    }),
    toolCalls: t.field({
      type: [ToolCallRef],
      description: "The tools this choice called; empty for a text answer.",
      resolve: (choice) => choice.toolCalls,
    }),
    ...outcomeFields(t),
    logprobs: resultLogprobsField(t),
  }),
});

const ChatCompletionRef = builder.objectRef<ChatCompletion>("ChatCompletion").implement({
  description:
    "A complete chat answer. Its top-level answer fields are those of choice 0; `choices` lists them all.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The generation's id." }),
    model: t.exposeID("model", { description: "The model that answered." }),
    createdAt: t.field({
      type: DateTimeScalar,
      description: "When the generation was created.",
      resolve: (completion) => new Date(completion.created * 1000),
    }),
    content: t.exposeString("content", {
      nullable: true,
      description: "The answer's text; null when the model called tools instead.",
    }),
    reasoning: t.exposeString("reasoning", {
      nullable: true,
      description:
        "The model's reasoning before its answer (e.g. `<think>…</think>`, Harmony's analysis channel); null when it did not reason or `reasoningFormat` is INLINE.",
    }),
    toolCalls: t.field({
      type: [ToolCallRef],
      description: "The tools the model called; empty for a text answer.",
      resolve: (completion) => completion.toolCalls,
    }),
    ...outcomeFields(t),
    logprobs: resultLogprobsField(t),
    choices: t.field({
      type: [ChatChoiceRef],
      description:
        "Every choice, by index: one unless `n` asked for more. `usage` above counts them all (the prompt once).",
      resolve: (completion) => completion.choices,
    }),
  }),
});

/** The index of the choice a chat stream event belongs to. */
function choiceIndexField(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, { choiceIndex: number }>) {
  return t.exposeInt("choiceIndex", {
    description: "The choice (0-based, below the request's `n`) this event belongs to.",
  });
}

const ContentDeltaRef = builder.objectRef<ContentDeltaEvent>("ContentDelta").implement({
  description: "The next piece of the answer's text.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    choiceIndex: choiceIndexField(t),
    content: t.exposeString("content", {
      description: "Text to append; the pieces concatenate to the answer.",
    }),
    logprobs: t.expose("logprobs", {
      type: [TokenLogprobRef],
      nullable: true,
      description: "The tokens of this piece, when requested with `logprobs`.",
    }),
  }),
});

const ReasoningDeltaRef = builder.objectRef<ReasoningDeltaEvent>("ReasoningDelta").implement({
  description: "The next piece of the model's reasoning (its thinking before the answer).",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    choiceIndex: choiceIndexField(t),
    reasoning: t.exposeString("reasoning", {
      description: "Text to append; the pieces concatenate to the reasoning.",
    }),
  }),
});

const ToolCallDeltaRef = builder.objectRef<ToolCallDeltaEvent>("ToolCallDelta").implement({
  description:
    "The next piece of a tool call. A call's first delta carries its `callId` and `name`; the `argumentsDelta` pieces of one `index` concatenate to its JSON arguments.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    choiceIndex: choiceIndexField(t),
    index: t.exposeInt("index", { description: "Which call (0-based) of its choice this piece belongs to." }),
    callId: t.exposeID("callId", { nullable: true, description: "The call's id, on its first delta only." }),
    name: t.exposeString("name", {
      nullable: true,
      description: "The tool's name, on the call's first delta only.",
    }),
    argumentsDelta: t.exposeString("argumentsDelta", {
      description: "Text to append to the call's arguments.",
    }),
  }),
});

const GenerationFinishedRef = builder.objectRef<FinishedEvent>("GenerationFinished").implement({
  description:
    "A choice ended: why, its usage and timings, and its assembled answer. Each choice has one; with one choice (`n` 1, the default) it is the stream's last event.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    choiceIndex: choiceIndexField(t),
    ...outcomeFields(t),
    totalUsage: t.expose("totalUsage", {
      type: UsageRef,
      nullable: true,
      description:
        "On the stream's last event only (every choice has finished): the token counts of all choices together, the prompt counted once and the completion tokens summed. Null on earlier choices' events.",
    }),
    // Not `content`: a selection of both on the ChatCompletionEvent union would conflict with
    // ContentDelta.content (String! there, nullable here), which GraphQL validation rejects.
    fullContent: t.exposeString("content", {
      nullable: true,
      description:
        "The whole answer's text (the ContentDelta pieces concatenated); null when the model called tools.",
    }),
    fullReasoning: t.exposeString("reasoning", {
      nullable: true,
      description: "The whole reasoning (the ReasoningDelta pieces concatenated); null when there was none.",
    }),
    toolCalls: t.expose("toolCalls", {
      type: [ToolCallRef],
      description:
        "The complete tool calls, assembled from their deltas; empty for a text answer. A call cut off by `maxTokens` is not listed (the finish reason is LENGTH).",
    }),
    stopSequence: t.exposeString("stopSequence", {
      nullable: true,
      description: "The stop sequence that ended generation, when one did.",
    }),
  }),
});

const ChatCompletionEventRef = builder.unionType("ChatCompletionEvent", {
  description:
    "An event of a chat stream: GenerationStarted once, then ReasoningDelta, ContentDelta or ToolCallDelta events, then GenerationFinished; with `n` choices their events interleave, each naming its `choiceIndex`, and each choice ends with its own GenerationFinished.",
  types: [GenerationStartedRef, ReasoningDeltaRef, ContentDeltaRef, ToolCallDeltaRef, GenerationFinishedRef],
  resolveType: eventTypeName,
});

builder.mutationFields((t) => ({
  createChatCompletion: t.field({
    type: ChatCompletionRef,
    description:
      "Generates a chat answer and returns it when complete. Use the `chatCompletion` subscription to stream it.",
    args: { input: t.arg({ type: ChatCompletionInputRef, required: true, description: "The request." }) },
    resolve: (_root, { input }, { resolvers, signal, origin }) =>
      resolvers.createChatCompletion(toChatCompletionInput(input), { signal, origin }),
  }),
}));

builder.subscriptionFields((t) => ({
  chatCompletion: t.field({
    type: ChatCompletionEventRef,
    description:
      "Streams a chat answer token by token. Completing the subscription or closing the connection cancels the generation at once.",
    args: { input: t.arg({ type: ChatCompletionInputRef, required: true, description: "The request." }) },
    subscribe: (_root, { input }, context) =>
      subscriptionSource(context, (call) =>
        context.resolvers.streamChatCompletion(toChatCompletionInput(input), call),
      ),
    resolve: eventOrThrow,
  }),
}));
