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

type ChatFormatInfo = ModelInfo["chatFormat"];

const ToolCallFormatEnum = builder.enumType("ToolCallFormat", {
  description: "How a model writes tool calls.",
  values: {
    NATIVE: {
      value: "native",
      description: "Its family's trained syntax (e.g. Qwen's <tool_call>, Mistral's [TOOL_CALLS]).",
    },
    GENERIC: {
      value: "generic",
      description:
        "node-llama-cpp's generic syntax (`||call: name({…})`), documented to the model in its system prompt: for models whose template has none.",
    },
  } as const,
});

const PromptRendererEnum = builder.enumType("PromptRenderer", {
  description: "What renders a conversation into the prompt.",
  values: {
    JINJA: {
      value: "jinja",
      description: "The GGUF's own Jinja chat template, as llama-server --jinja renders it.",
    },
    WRAPPER: {
      value: "wrapper",
      description: "node-llama-cpp's chat wrapper (models without a Jinja template).",
    },
  } as const,
});

const ReasoningMarkersRef = builder
  .objectRef<NonNullable<ChatFormatInfo["reasoningMarkers"]>>("ReasoningMarkers")
  .implement({
    description: "The markers around a model's reasoning in its output.",
    fields: (t) => ({
      open: t.exposeString("open", { description: "Opens the reasoning (empty: the output starts in it)." }),
      close: t.exposeString("close", { description: "Closes the reasoning." }),
    }),
  });

export const ChatFormatRef = builder.objectRef<ChatFormatInfo>("ChatFormat").implement({
  description: "How a model's conversations are rendered and its output read.",
  fields: (t) => ({
    wrapperName: t.exposeString("wrapperName", {
      description: "The node-llama-cpp chat wrapper whose syntax reads tool calls and reasoning.",
    }),
    renderer: t.field({
      type: PromptRendererEnum,
      description: "What renders its conversations into prompts.",
      resolve: (format) => format.renderer,
    }),
    toolCallFormat: t.field({
      type: ToolCallFormatEnum,
      description: "How it writes tool calls: its family's own syntax, or the generic one.",
      resolve: (format) => format.toolCallFormat,
    }),
    reasoningMarkers: t.field({
      type: ReasoningMarkersRef,
      nullable: true,
      description: "Null for models that do not reason.",
      resolve: (format) => format.reasoningMarkers,
    }),
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
    chatFormat: t.field({
      type: ChatFormatRef,
      description: "How its chats are rendered and its tool calls and reasoning read.",
      resolve: (model) => model.chatFormat,
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
