// A remote model's reasoning tokens: the upstream's own count (vLLM's and inferql's
// completion_tokens_details) when its usage has one, else its reasoning chunks, a token each
// (llama-server reports none and streams a token a chunk).
import { describe, expect, it } from "vitest";
import { UpstreamOutput, type WireChunk } from "../../src/inference/remote/upstreamOutput.js";
import type { EngineEvent } from "../../src/inference/types.js";

const reasoning = (text: string): WireChunk => ({ choices: [{ delta: { reasoning_content: text } }] });
const content = (text: string): WireChunk => ({ choices: [{ delta: { content: text } }] });
const stop: WireChunk = { choices: [{ delta: {}, finish_reason: "stop" }] };

function reasoningTokensOf(chunks: WireChunk[], { reasoningInline = false } = {}): number {
  const output = new UpstreamOutput(0, 0, performance.now(), reasoningInline);
  for (const chunk of chunks) [...output.chunk(chunk)];
  const finished = [...output.finish()].find(
    (event): event is Extract<EngineEvent, { type: "finished" }> => event.type === "finished",
  );
  return finished?.usage.reasoningTokens ?? Number.NaN;
}

describe("a remote model's reasoning tokens", () => {
  const streamed = [reasoning("Let"), reasoning(" me"), reasoning(" think"), content("Sunny"), stop];

  it("are the upstream's count when its usage reports one", () => {
    const usage = {
      usage: { prompt_tokens: 9, completion_tokens: 12, completion_tokens_details: { reasoning_tokens: 7 } },
    };
    expect(reasoningTokensOf([...streamed, usage])).toBe(7);
  });

  it("are its reasoning chunks when its usage has no count (llama-server)", () => {
    expect(reasoningTokensOf([...streamed, { usage: { prompt_tokens: 9, completion_tokens: 4 } }])).toBe(3);
    expect(reasoningTokensOf(streamed)).toBe(3);
  });

  it("are 0 when the request keeps reasoning inline, as a local model counts it", () => {
    expect(reasoningTokensOf(streamed, { reasoningInline: true })).toBe(0);
  });
});
