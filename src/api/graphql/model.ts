// Model: a served GGUF model with its context size, chat template and LoRA adapters.
import type { Resolvers } from "../../resolvers/index.js";
import { builder } from "./builder.js";

type ModelInfo = ReturnType<Resolvers["listModels"]>[number];

const LoraAdapterRef = builder.objectRef<{ name: string }>("LoraAdapter").implement({
  description: "A LoRA adapter loaded for a model; a generation selects it by name (see `lora` inputs).",
  fields: (t) => ({
    name: t.exposeString("name", { description: "The name a generation's `lora` input uses." }),
  }),
});

export const ModelRef = builder.objectRef<ModelInfo>("Model").implement({
  description: "A model this server serves.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The id a generation's `model` input uses." }),
    contextSize: t.exposeInt("contextSize", {
      description: "Tokens each slot holds: prompt and generated tokens together must fit.",
    }),
    trainContextSize: t.exposeInt("trainContextSize", {
      description: "The context size the model was trained with.",
    }),
    chatTemplate: t.exposeString("chatTemplate", {
      description:
        "Name of the chat template that turns messages into the prompt (from the model's metadata).",
    }),
    loraAdapters: t.field({
      type: [LoraAdapterRef],
      description: "LoRA adapters a generation may apply to this model.",
      resolve: (model) => model.adapters.map((name) => ({ name })),
    }),
    sizeBytes: t.exposeFloat("sizeBytes", {
      description: "Size of the weights in bytes (a Float: sizes can exceed a 32-bit Int).",
    }),
    embeddingSize: t.exposeInt("embeddingSize", {
      description: "Length of the vectors `createEmbeddings` returns.",
    }),
  }),
});

builder.queryFields((t) => ({
  models: t.field({
    type: [ModelRef],
    description: "Every model this server serves; the first is the default for generations without `model`.",
    resolve: (_root, _args, { resolvers }) => resolvers.listModels(),
  }),
  model: t.field({
    type: ModelRef,
    nullable: true,
    description: "The model with this id, or null when no served model has it.",
    args: { id: t.arg.id({ required: true, description: "The model id." }) },
    resolve: (_root, { id }, { resolvers }) => resolvers.findModel(String(id)),
  }),
}));
