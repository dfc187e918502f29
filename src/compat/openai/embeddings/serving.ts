// Translation between the embeddings wire format and the embeddings resolver.
import type { Embeddings, EmbeddingsInput } from "../../../resolvers/index.js";
import { OpenAiError } from "../errors/openAiError.js";
import type { ParamRenames } from "../errors/wireParam.js";
import type { EmbeddingsRequest, EmbeddingsResponse } from "./protocol.js";

export const embeddingsParamRenames: ParamRenames = { normalize: "embd_normalize" };

export function toEmbeddingsInput(request: EmbeddingsRequest): EmbeddingsInput {
  return { model: request.model, input: request.input, normalize: request.embd_normalize };
}

export function toEmbeddingsResponse(embeddings: Embeddings, request: EmbeddingsRequest): EmbeddingsResponse {
  const size = embeddings.vectors[0]?.length;
  if (request.dimensions !== undefined && request.dimensions !== size)
    throw OpenAiError.invalidRequest(
      "dimensions",
      `The model '${embeddings.model}' makes ${size}-dimensional embeddings; other sizes are not supported`,
    );
  const encode = request.encoding_format === "base64" ? toBase64Float32 : (vector: number[]) => vector;
  return {
    object: "list",
    data: embeddings.vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: encode(vector),
    })),
    model: embeddings.model,
    usage: { prompt_tokens: embeddings.usage.promptTokens, total_tokens: embeddings.usage.totalTokens },
  };
}

/** OpenAI's base64 encoding: the vector as little-endian float32, base64-encoded. */
function toBase64Float32(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  for (const [index, value] of vector.entries()) buffer.writeFloatLE(value, index * 4);
  return buffer.toString("base64");
}
