// Code infill (fill-in-the-middle): a completion of the gap between a prefix and a suffix, as a result or a stream.
import type { InfillInput } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { CompletionEventRef, CompletionRef } from "./completion.js";
import {
  generationInputFields,
  textConstraintInputFields,
  toGenerationFields,
  toTextConstraintFields,
} from "./generationInput.js";
import { orUndefined } from "./inputValues.js";
import { JsonScalar } from "./scalars.js";
import { eventOrThrow, subscriptionSource } from "./subscriptionStream.js";

/** The infill resolver's input as GraphQL can deliver it (a JSON scalar may hold any JSON value). */
type InfillDraft = Omit<InfillInput, "jsonSchema"> & { jsonSchema?: unknown };

const InfillFileRef = builder.inputType("InfillFileInput", {
  description: "Another file of the repository, shown to the model before the file being edited.",
  fields: (t) => ({
    filename: t.string({ description: "Its path (default `tmp`)." }),
    text: t.string({ required: true, description: "Its contents." }),
  }),
});

const InfillInputRef = builder.inputType("InfillInput", {
  description:
    "A fill-in-the-middle request (llama-server's /infill) on a model with FIM tokens: the output is the text between the prefix and the suffix.",
  fields: (t) => ({
    inputPrefix: t.string({ required: true, description: "The code before the gap." }),
    inputSuffix: t.string({ required: true, description: "The code after the gap." }),
    inputExtra: t.field({
      type: [InfillFileRef],
      description: "Other files of the repository, shown before the file being edited.",
    }),
    prompt: t.string({ description: "The start of the middle, already written: generation continues it." }),
    ...generationInputFields(t),
    ...textConstraintInputFields(t, "jsonSchema"),
    jsonSchema: t.field({ type: JsonScalar, description: "A JSON schema the output must follow." }),
    logprobs: t.int({
      description: "Report each token's log-probability with this many alternatives (0 to 20).",
    }),
  }),
});

function toInfillInput(input: typeof InfillInputRef.$inferInput): InfillDraft {
  return {
    inputPrefix: input.inputPrefix,
    inputSuffix: input.inputSuffix,
    inputExtra: input.inputExtra?.map((file) => ({ filename: orUndefined(file.filename), text: file.text })),
    prompt: orUndefined(input.prompt),
    ...toGenerationFields(input),
    ...toTextConstraintFields(input),
    jsonSchema: orUndefined(input.jsonSchema),
    logprobs: orUndefined(input.logprobs),
  };
}

builder.mutationFields((t) => ({
  createInfill: t.field({
    type: CompletionRef,
    description:
      "Fills the gap between a prefix and a suffix and returns the text when complete. Use the `infill` subscription to stream it. A model without FIM tokens is refused.",
    args: { input: t.arg({ type: InfillInputRef, required: true, description: "The request." }) },
    resolve: (_root, { input }, { resolvers, signal, origin }) =>
      resolvers.createInfill(toInfillInput(input), { signal, origin }),
  }),
}));

builder.subscriptionFields((t) => ({
  infill: t.field({
    type: CompletionEventRef,
    description:
      "Streams an infill token by token, as the `completion` subscription does. Completing the subscription cancels the generation at once.",
    args: { input: t.arg({ type: InfillInputRef, required: true, description: "The request." }) },
    subscribe: (_root, { input }, context) =>
      subscriptionSource(context, (call) => context.resolvers.streamInfill(toInfillInput(input), call)),
    resolve: eventOrThrow,
  }),
}));
