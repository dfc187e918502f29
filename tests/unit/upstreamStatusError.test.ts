// What a replica's error answer says, in the body shapes OpenAI-compatible servers write.
import { describe, expect, it } from "vitest";
import { UpstreamStatusError } from "../../src/inference/remote/upstreamStatusError.js";

const detail = (status: number, body: unknown) =>
  new UpstreamStatusError(status, typeof body === "string" ? body : JSON.stringify(body)).detail();

describe("UpstreamStatusError.detail", () => {
  it("reads OpenAI's and llama-server's {error: {message, param}}", () => {
    expect(
      detail(400, { error: { message: "bad top_k", type: "invalid_request_error", param: "top_k" } }),
    ).toEqual({
      message: "bad top_k",
      param: "top_k",
    });
    expect(
      detail(400, {
        error: { code: 400, message: "Failed to parse grammar", type: "invalid_request_error" },
      }),
    ).toEqual({ message: "Failed to parse grammar" });
  });

  it("reads older vLLM's {object: 'error', message, param} and Ollama's {error: '…'}", () => {
    expect(
      detail(400, { object: "error", message: "max_tokens too large", param: "max_tokens", code: 400 }),
    ).toEqual({
      message: "max_tokens too large",
      param: "max_tokens",
    });
    expect(detail(429, { error: "server busy, please try again" })).toEqual({
      message: "server busy, please try again",
    });
  });

  it("falls back to the body's text, or the status when there is none", () => {
    expect(detail(400, "Bad Request: no model")).toEqual({ message: "Bad Request: no model" });
    expect(detail(400, { error: { param: "x" } })).toEqual({ message: '{"error":{"param":"x"}}' });
    expect(detail(429, "")).toEqual({ message: "HTTP 429" });
  });
});
