// The resolvers' model descriptions as OpenAI model objects.
import type { Resolvers } from "../../../resolvers/index.js";
import type { WireModel } from "./protocol.js";

type ModelInfo = ReturnType<Resolvers["listModels"]>[number];

export function toWireModel(model: ModelInfo, created: number): WireModel {
  return {
    id: model.id,
    object: "model",
    created,
    owned_by: "inferql",
    ...(model.contextSize > 0 ? { max_model_len: model.contextSize } : {}),
    meta: {
      n_ctx: model.contextSize,
      n_ctx_train: model.trainContextSize,
      n_embd: model.embeddingSize,
      size: model.sizeBytes,
      chat_template: model.chatTemplate,
      chat_format: {
        wrapper: model.chatFormat.wrapperName,
        renderer: model.chatFormat.renderer,
        tool_call_format: model.chatFormat.toolCallFormat,
        reasoning_markers: model.chatFormat.reasoningMarkers ?? null,
      },
      lora_adapters: model.adapters,
      aliases: model.aliases,
    },
  };
}
