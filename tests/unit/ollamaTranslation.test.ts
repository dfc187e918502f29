// The Ollama layer's request translation: tool calls and results paired without ids, options mapped
// or refused, `think` as template variables.
import { describe, expect, it } from "vitest";
import { toResolverMessages } from "../../src/compat/ollama/chat.js";
import { toGenerationFields, toReasoningEffort } from "../../src/compat/ollama/options.js";
import { messageSchema, optionsSchema } from "../../src/compat/ollama/protocol.js";

const messages = (raw: unknown[]) => raw.map((message) => messageSchema.parse(message));
const options = (raw: unknown) => optionsSchema.parse(raw);

describe("tool calls and their results", () => {
  it("gives each call an id and each result the id of the call it answers, by tool name", () => {
    const translated = toResolverMessages(
      messages([
        { role: "user", content: "weather and time?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { function: { name: "get_weather", arguments: { city: "Paris" } } },
            { function: { name: "get_time", arguments: '{"zone": "UTC"}' } },
          ],
        },
        { role: "tool", tool_name: "get_time", content: "noon" },
        { role: "tool", content: "sunny" },
      ]),
    );
    expect(translated[1]).toEqual({
      role: "assistant",
      content: null,
      toolCalls: [
        {
          id: "call_1_0",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
        { id: "call_1_1", type: "function", function: { name: "get_time", arguments: '{"zone": "UTC"}' } },
      ],
    });
    // The named result answers get_time; the unnamed one the call still unanswered.
    expect(translated[2]).toEqual({ role: "tool", content: "noon", toolCallId: "call_1_1" });
    expect(translated[3]).toEqual({ role: "tool", content: "sunny", toolCallId: "call_1_0" });
  });

  it("keeps ids a client sent, and pairs results by tool_call_id first", () => {
    const translated = toResolverMessages(
      messages([
        {
          role: "assistant",
          content: "Checking.",
          thinking: "Two calls.",
          tool_calls: [
            { id: "a1", function: { name: "get_weather", arguments: {} } },
            { id: "b2", function: { name: "get_weather", arguments: {} } },
          ],
        },
        { role: "tool", tool_call_id: "b2", tool_name: "get_weather", content: "second" },
        { role: "tool", tool_name: "get_weather", content: "first" },
      ]),
    );
    expect(translated[0]).toMatchObject({ content: "Checking.", reasoning: "Two calls." });
    expect(translated.slice(1).map((message) => (message.role === "tool" ? message.toolCallId : ""))).toEqual(
      ["b2", "a1"],
    );
  });
});

describe("options", () => {
  it("maps sampling options and takes a negative num_predict as no limit", () => {
    expect(
      toGenerationFields(
        options({ num_predict: 64, temperature: 0.2, top_k: 5, repeat_penalty: 1.1, stop: ["\n"] }),
      ),
    ).toMatchObject({ maxTokens: 64, temperature: 0.2, topK: 5, repeatPenalty: 1.1, stop: ["\n"] });
    expect(toGenerationFields(options({ num_predict: -1 })).maxTokens).toBeUndefined();
    expect(toGenerationFields(options({ num_predict: -2 })).maxTokens).toBeUndefined();
  });

  it("takes the AI SDK provider's top-level temperature, top_p and max_output_tokens where options are silent", () => {
    const topLevel = { temperature: 0, top_p: 0.5, max_output_tokens: 12 };
    expect(toGenerationFields(options({}), topLevel)).toMatchObject({
      temperature: 0,
      topP: 0.5,
      maxTokens: 12,
    });
    expect(toGenerationFields(options({ temperature: 1, num_predict: -1 }), topLevel)).toMatchObject({
      temperature: 1,
      topP: 0.5,
      maxTokens: undefined,
    });
  });

  it("accepts load options and neutral values of unsupported sampling, and refuses the rest by name", () => {
    expect(() =>
      toGenerationFields(options({ num_ctx: 8192, num_gpu: 99, typical_p: 1, mirostat: 0 })),
    ).not.toThrow();
    expect(() => toGenerationFields(options({ typical_p: 0.5 }))).toThrow(/options\.typical_p/);
    expect(() => toGenerationFields(options({ tfs_z: 0.9 }))).toThrow(/options\.tfs_z/);
  });
});

describe("think", () => {
  it("false turns thinking off, a level sets the reasoning effort, true changes nothing", () => {
    expect(toReasoningEffort(false)).toBe("none");
    expect(toReasoningEffort("high")).toBe("high");
    expect(toReasoningEffort(true)).toBeUndefined();
    expect(toReasoningEffort(undefined)).toBeUndefined();
  });
});
