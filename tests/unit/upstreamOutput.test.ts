// What a remote model's stream finishes with, as a local model reports it: its reasoning tokens (the
// upstream's own count, vLLM's and inferql's completion_tokens_details, when its usage has one, else
// its reasoning chunks, a token each: llama-server reports none and streams a token a chunk), and only
// complete tool calls (a call a limit cut off is not one).
import { describe, expect, it } from "vitest";
import { UpstreamOutput, type WireChunk } from "../../src/inference/remote/upstreamOutput.js";
import type { EngineEvent } from "../../src/inference/types.js";

const reasoning = (text: string): WireChunk => ({ choices: [{ delta: { reasoning_content: text } }] });
const content = (text: string): WireChunk => ({ choices: [{ delta: { content: text } }] });
const stop: WireChunk = { choices: [{ delta: {}, finish_reason: "stop" }] };

type Finished = Extract<EngineEvent, { type: "finished" }>;

function finishedOf(chunks: WireChunk[], { reasoningInline = false } = {}): Finished {
  const output = new UpstreamOutput(0, 0, performance.now(), reasoningInline);
  for (const chunk of chunks) [...output.chunk(chunk)];
  const finished = [...output.finish()].find((event): event is Finished => event.type === "finished");
  if (!finished) throw new Error("no finished event");
  return finished;
}

const reasoningTokensOf = (chunks: WireChunk[], options?: { reasoningInline?: boolean }) =>
  finishedOf(chunks, options).usage.reasoningTokens;

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

describe("a remote model's tool calls", () => {
  const call = (index: number, name: string | undefined, args: string): WireChunk => ({
    choices: [
      { delta: { tool_calls: [{ index, function: { ...(name ? { name } : {}), arguments: args } }] } },
    ],
  });
  const finish = (reason: string): WireChunk => ({ choices: [{ delta: {}, finish_reason: reason }] });

  it("a call the length limit cut off is not one: it is reported as truncated", () => {
    const finished = finishedOf([
      call(0, "get_weather", '{"city": '),
      call(0, undefined, '"Pa'),
      finish("length"),
    ]);
    expect(finished.reason).toBe("length");
    expect(finished.toolCalls).toEqual([]);
    expect(finished.truncatedToolCall).toBe('{"city": "Pa');
  });

  it("the calls finished before the cut are kept, and a call whose arguments parse is complete", () => {
    const finished = finishedOf([
      call(0, "get_weather", '{"city": "Paris"}'),
      call(1, "get_time", '{"zone": "U'),
      finish("length"),
    ]);
    expect(finished.toolCalls).toEqual([{ name: "get_weather", arguments: '{"city": "Paris"}' }]);
    const whole = finishedOf([call(0, "get_weather", '{"city": "Paris"}'), finish("length")]);
    expect(whole.toolCalls).toEqual([{ name: "get_weather", arguments: '{"city": "Paris"}' }]);
  });

  it("an upstream that ends its turn with its calls has completed them", () => {
    const finished = finishedOf([call(0, "get_weather", '{"city": "Paris"}'), finish("tool_calls")]);
    expect(finished).toMatchObject({ reason: "stop", toolCalls: [{ name: "get_weather" }] });
    expect(finished).not.toHaveProperty("truncatedToolCall");
  });
});
