// readModelsAnswer: what a replica's `GET /v1/models` says of the model a gateway serves from it, in
// the shapes llama-server, vLLM and inferql answer.
import { describe, expect, it } from "vitest";
import { readModelsAnswer } from "../../src/inference/remote/upstreamAnswers.js";

describe("readModelsAnswer", () => {
  it("reads llama-server's and inferql's meta, from the only entry whatever its id", () => {
    const answer = {
      data: [
        { id: "/models/qwen.gguf", meta: { n_ctx: 4096, n_ctx_train: 32768, n_embd: 896, size: 1_000_000 } },
      ],
    };
    expect(readModelsAnswer(answer, "qwen")).toEqual({
      contextSize: 4096,
      trainContextSize: 32768,
      embeddingSize: 896,
      sizeBytes: 1_000_000,
    });
  });

  it("reads vLLM's max_model_len as the context size", () => {
    const answer = { data: [{ id: "Qwen/Qwen3-8B", object: "model", max_model_len: 40960 }] };
    expect(readModelsAnswer(answer, "Qwen/Qwen3-8B")).toEqual({
      contextSize: 40960,
      trainContextSize: 0,
      embeddingSize: 0,
      sizeBytes: 0,
    });
  });

  it("picks the entry named by id or alias among several; none of them named is nothing", () => {
    const answer = {
      data: [
        { id: "tiny", meta: { n_ctx: 512 } },
        { id: "big", aliases: ["gpt-4o"], meta: { n_ctx: 8192 } },
      ],
    };
    expect(readModelsAnswer(answer, "gpt-4o")?.contextSize).toBe(8192);
    expect(readModelsAnswer(answer, "tiny")?.contextSize).toBe(512);
    expect(readModelsAnswer(answer, "other")).toBeUndefined();
    expect(readModelsAnswer({ error: "no" }, "tiny")).toBeUndefined();
  });
});
