// Text completion: the raw prompt continued with no chat template, as a result or as a stream.
import type { Completion, CompletionEvent, CompletionInput } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import {
  eventTypeName,
  GenerationEventRef,
  GenerationStartedRef,
  outcomeFields,
  resultLogprobsField,
  TokenLogprobRef,
} from "./generation.js";
import {
  generationInputFields,
  textConstraintInputFields,
  toGenerationFields,
  toTextConstraintFields,
} from "./generationInput.js";
import { orUndefined } from "./inputValues.js";
import { DateTimeScalar, JsonScalar } from "./scalars.js";
import { eventOrThrow, subscriptionSource } from "./subscriptionStream.js";

type TextDeltaEvent = Extract<CompletionEvent, { type: "textDelta" }>;
type FinishedEvent = Extract<CompletionEvent, { type: "finished" }>;

/** The completion resolver's input as GraphQL can deliver it (a JSON scalar may hold any JSON value). */
type CompletionDraft = Omit<CompletionInput, "jsonSchema"> & { jsonSchema?: unknown };

const CompletionInputRef = builder.inputType("CompletionInput", {
  description: "A text completion request: the prompt is continued as is, with no chat template.",
  fields: (t) => ({
    prompt: t.string({ required: true, description: "The text to continue." }),
    ...generationInputFields(t),
    ...textConstraintInputFields(t, "jsonSchema"),
    jsonSchema: t.field({ type: JsonScalar, description: "A JSON schema the output must follow." }),
    logprobs: t.int({
      description: "Report each token's log-probability with this many alternatives (0 to 20).",
    }),
  }),
});

function toCompletionInput(input: typeof CompletionInputRef.$inferInput): CompletionDraft {
  return {
    prompt: input.prompt,
    ...toGenerationFields(input),
    ...toTextConstraintFields(input),
    jsonSchema: orUndefined(input.jsonSchema),
    logprobs: orUndefined(input.logprobs),
  };
}

export const CompletionRef = builder.objectRef<Completion>("Completion").implement({
  description: "A complete text completion.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The generation's id." }),
    model: t.exposeID("model", { description: "The model that generated." }),
    createdAt: t.field({
      type: DateTimeScalar,
      description: "When the generation was created.",
      resolve: (completion) => new Date(completion.created * 1000),
    }),
    text: t.exposeString("text", { description: "The generated text (without the prompt)." }),
    ...outcomeFields(t),
    logprobs: resultLogprobsField(t),
  }),
});

const TextDeltaRef = builder.objectRef<TextDeltaEvent>("TextDelta").implement({
  description: "The next piece of generated text.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    text: t.exposeString("text", { description: "Text to append; the pieces concatenate to the output." }),
    logprobs: t.expose("logprobs", {
      type: [TokenLogprobRef],
      nullable: true,
      description: "The tokens of this piece, when requested with `logprobs`.",
    }),
  }),
});

const CompletionFinishedRef = builder.objectRef<FinishedEvent>("CompletionFinished").implement({
  description: "Last event of a completion stream: why it ended, usage and timings, and the whole text.",
  interfaces: [GenerationEventRef],
  fields: (t) => ({
    ...outcomeFields(t),
    text: t.exposeString("text", { description: "The whole generated text (the deltas concatenated)." }),
    stopSequence: t.exposeString("stopSequence", {
      nullable: true,
      description: "The stop sequence that ended generation, when one did.",
    }),
  }),
});

export const CompletionEventRef = builder.unionType("CompletionEvent", {
  description:
    "An event of a completion stream: GenerationStarted, then TextDelta events, then CompletionFinished.",
  types: [GenerationStartedRef, TextDeltaRef, CompletionFinishedRef],
  resolveType: eventTypeName,
});

builder.mutationFields((t) => ({
  createCompletion: t.field({
    type: CompletionRef,
    description:
      "Continues a prompt and returns the text when complete. Use the `completion` subscription to stream it.",
    args: { input: t.arg({ type: CompletionInputRef, required: true, description: "The request." }) },
    resolve: (_root, { input }, { resolvers, signal, origin }) =>
      resolvers.createCompletion(toCompletionInput(input), { signal, origin }),
  }),
}));

builder.subscriptionFields((t) => ({
  completion: t.field({
    type: CompletionEventRef,
    description:
      "Streams a text completion token by token. Completing the subscription or closing the connection cancels the generation at once.",
    args: { input: t.arg({ type: CompletionInputRef, required: true, description: "The request." }) },
    subscribe: (_root, { input }, context) =>
      subscriptionSource(context, (call) =>
        context.resolvers.streamCompletion(toCompletionInput(input), call),
      ),
    resolve: eventOrThrow,
  }),
}));
