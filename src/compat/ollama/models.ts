// The served models as Ollama lists and describes them (/api/tags, /api/ps, /api/show). A model's
// name is its inferql id with Ollama's default tag (`:latest`, which requests may leave out); its digest is derived from the id and the weights' size (there is no
// registry manifest to hash); every served model is loaded, with no expiry.
import { createHash } from "node:crypto";
import type { Resolvers } from "../../resolvers/index.js";
import type { ModelDetails, RunningModel, ShowResponse, WireModel } from "./protocol.js";

type ServedModel = ReturnType<Resolvers["listModels"]>[number];

/**
 * The Ollama API level these endpoints follow (`think` levels, tool call indexes, `logprobs`):
 * clients compare it with the version a feature first shipped in.
 */
export const OLLAMA_API_VERSION = "0.12.11";

/** What a loaded model's `expires_at` says when it never unloads (Ollama's `keep_alive: -1`). */
const NEVER = "9999-12-31T23:59:59Z";

/** A model's name as Ollama writes names, with a tag: `qwen3:latest` for the id `qwen3` (ids with a tag keep it). */
function ollamaName(id: string): string {
  return id.includes(":") ? id : `${id}:latest`;
}

export function toWireModel(model: ServedModel, modifiedAt: string): WireModel {
  return {
    name: ollamaName(model.id),
    model: ollamaName(model.id),
    modified_at: modifiedAt,
    size: model.sizeBytes,
    digest: createHash("sha256").update(`${model.id}\n${model.sizeBytes}`).digest("hex"),
    details: toDetails(model),
  };
}

export function toRunningModel(model: ServedModel, modifiedAt: string): RunningModel {
  return {
    ...toWireModel(model, modifiedAt),
    expires_at: NEVER,
    // node-llama-cpp reports no per-device split: a GPU build holds the weights there.
    size_vram: 0,
    context_length: model.contextSize,
  };
}

/**
 * `<architecture>.context_length` is the context one request can use here (the slot's, as vLLM's
 * max_model_len), not the one the model was trained with: clients (VS Code's Copilot) budget their
 * prompts by it. `parameters` says the same as Ollama's Modelfile would (`num_ctx`).
 */
export function toShowResponse(model: ServedModel, modifiedAt: string): ShowResponse {
  const architecture = model.architecture;
  const contextLength = model.contextSize > 0 ? model.contextSize : model.trainContextSize;
  return {
    modelfile: "",
    parameters: contextLength > 0 ? `num_ctx ${contextLength}` : "",
    template: "",
    details: toDetails(model),
    model_info: {
      ...(architecture ? { "general.architecture": architecture } : {}),
      ...(model.parameterCount > 0 ? { "general.parameter_count": model.parameterCount } : {}),
      ...(architecture && contextLength > 0 ? { [`${architecture}.context_length`]: contextLength } : {}),
      ...(architecture && model.embeddingSize > 0
        ? { [`${architecture}.embedding_length`]: model.embeddingSize }
        : {}),
    },
    capabilities: capabilitiesOf(model),
    modified_at: modifiedAt,
  };
}

/**
 * What Ollama's clients check before they offer a feature (VS Code's Copilot hides tools from models
 * without "tools"): completion and tools always (a family without a call syntax of its own calls
 * through the generic JSON format); thinking when the model's output has reasoning markers;
 * embedding, as every served model embeds.
 */
function capabilitiesOf(model: ServedModel): string[] {
  return ["completion", "tools", ...(model.chatFormat.reasoningMarkers ? ["thinking"] : []), "embedding"];
}

function toDetails(model: ServedModel): ModelDetails {
  return {
    parent_model: "",
    format: "gguf",
    family: model.architecture,
    families: model.architecture ? [model.architecture] : [],
    parameter_size: parameterSize(model.parameterCount),
    quantization_level: model.quantization,
  };
}

/** As Ollama writes it: "35.1M", "7.6B"; "" when unknown. */
function parameterSize(count: number): string {
  if (count <= 0) return "";
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  return `${(count / 1e3).toFixed(1)}K`;
}
