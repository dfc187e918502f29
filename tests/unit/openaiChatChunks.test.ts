// The order and shape of chat.completion.chunk messages for each resolver event, including the
// cases a live model rarely produces (several tool calls, a failure after the stream started).
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { chatChunkTranslation } from "../../src/compat/openai/chat/chunks.js";
import type { ChatCompletionEvent } from "../../src/resolvers/index.js";

const id = "chatcmpl-test";
const started: ChatCompletionEvent = {
  type: "started",
  id,
  model: "tiny",
  created: 1_700_000_000,
  promptTokens: 10,
  cachedPromptTokens: 4,
  choiceCount: 1,
};
const usage = {
  promptTokens: 10,
  completionTokens: 3,
  reasoningTokens: 2,
  totalTokens: 13,
  cachedPromptTokens: 4,
};
const timings = {
  queueMs: 1,
  promptMs: 2,
  generationMs: 3,
  promptTokensPerSecond: 3000,
  generatedTokensPerSecond: 1000,
};
const finished = (
  finishReason: "stop" | "length" | "tool_calls" | "cancelled" | "error",
  choiceIndex = 0,
  totalUsage: typeof usage | null = usage,
): ChatCompletionEvent => ({
  type: "finished",
  id,
  choiceIndex,
  finishReason,
  usage,
  timings,
  content: "",
  reasoning: null,
  toolCalls: [],
  ...(totalUsage ? { totalUsage } : {}),
});

function translate(events: ChatCompletionEvent[], includeUsage = false) {
  const lines: string[] = [];
  const logger = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
  const translation = chatChunkTranslation({ includeUsage, logger });
  return { messages: events.flatMap(translation) as Record<string, unknown>[], lines };
}

describe("chatChunkTranslation", () => {
  it("opens with the assistant role and closes with the finish reason, then usage when asked", () => {
    const { messages } = translate(
      [started, { type: "contentDelta", id, choiceIndex: 0, content: "Hi" }, finished("length")],
      true,
    );
    expect(messages.map((message) => message.choices)).toEqual([
      [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: "Hi" }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: "length" }],
      [],
    ]);
    expect(messages[0]).toMatchObject({
      id,
      object: "chat.completion.chunk",
      model: "tiny",
      created: 1_700_000_000,
    });
    expect(messages[2].timings).toMatchObject({ cache_n: 4, prompt_n: 6, predicted_n: 3, queue_ms: 1 });
    expect(messages[3].usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 3,
      total_tokens: 13,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
  });

  it("gives each tool call its id, type and name first, then its argument fragments, by index", () => {
    const { messages } = translate([
      started,
      {
        type: "toolCallDelta",
        id,
        choiceIndex: 0,
        index: 0,
        callId: "call_a",
        name: "first",
        argumentsDelta: '{"a":',
      },
      { type: "toolCallDelta", id, choiceIndex: 0, index: 0, argumentsDelta: "1}" },
      {
        type: "toolCallDelta",
        id,
        choiceIndex: 0,
        index: 1,
        callId: "call_b",
        name: "second",
        argumentsDelta: "",
      },
      { type: "toolCallDelta", id, choiceIndex: 0, index: 1, argumentsDelta: "{}" },
      finished("tool_calls"),
    ]);
    const deltas = messages.slice(1, -1).map((message) => (message.choices as { delta: unknown }[])[0].delta);
    expect(deltas).toEqual([
      {
        tool_calls: [
          { index: 0, id: "call_a", type: "function", function: { name: "first", arguments: "" } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: "1}" } }] },
      {
        tool_calls: [
          { index: 1, id: "call_b", type: "function", function: { name: "second", arguments: "" } },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: "{}" } }] },
    ]);
    expect(messages.at(-1)).toMatchObject({ choices: [{ finish_reason: "tool_calls" }] });
  });

  it("names each choice's index, finishes each choice apart, and sends usage after the last one only", () => {
    const twoChoices = { ...started, choiceCount: 2 } as ChatCompletionEvent;
    const total = {
      promptTokens: 10,
      completionTokens: 6,
      reasoningTokens: 4,
      totalTokens: 16,
      cachedPromptTokens: 4,
    };
    const { messages } = translate(
      [
        twoChoices,
        { type: "contentDelta", id, choiceIndex: 1, content: "B" },
        { type: "contentDelta", id, choiceIndex: 0, content: "A" },
        finished("length", 1, null),
        finished("stop", 0, total),
      ],
      true,
    );
    expect(messages.map((message) => message.choices)).toEqual([
      [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      [{ index: 1, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      [{ index: 1, delta: { content: "B" }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: "A" }, logprobs: null, finish_reason: null }],
      [{ index: 1, delta: {}, logprobs: null, finish_reason: "length" }],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }],
      [],
    ]);
    expect(messages.at(-1)?.usage).toMatchObject({
      prompt_tokens: 10,
      completion_tokens: 6,
      total_tokens: 16,
      completion_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it("reports a cancelled generation as finish_reason abort", () => {
    const { messages } = translate([started, finished("cancelled")]);
    expect(messages.at(-1)).toMatchObject({ choices: [{ finish_reason: "abort" }] });
  });

  it("ends a generation that failed mid-stream with a masked error event, and logs it", () => {
    const { messages, lines } = translate([started, finished("error")], true);
    expect(messages.at(-1)).toEqual({
      error: { message: "Internal server error", type: "server_error", param: null, code: "internal_error" },
    });
    expect(messages).toHaveLength(2);
    expect(lines.join("")).toContain(id);
  });
});
