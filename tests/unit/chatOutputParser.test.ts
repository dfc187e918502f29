// The output parser with each family's syntax as its node-llama-cpp wrapper (or its Jinja template)
// defines it: whole outputs and the same outputs one character at a time read the same.
import { readFileSync } from "node:fs";
import {
  type ChatWrapper,
  GeneralChatWrapper,
  HarmonyChatWrapper,
  JinjaTemplateChatWrapper,
  MistralChatWrapper,
} from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { ChatOutputParser, type ParsedOutput } from "../../src/inference/chat/chatOutputParser.js";
import { chatSyntaxOf } from "../../src/inference/chat/chatSyntax.js";

const template = (file: string) =>
  new JinjaTemplateChatWrapper({
    template: readFileSync(new URL(`../fixtures/templates/${file}`, import.meta.url), "utf8"),
  });

interface Read {
  content: string;
  reasoning: string;
  calls: { name: string; arguments: string }[];
  streamedArguments: string[];
  truncatedToolCall?: string;
}

function read(
  wrapper: ChatWrapper,
  pieces: string[],
  options: { tools?: boolean; reasoning?: boolean } = {},
): Read {
  const parser = new ChatOutputParser({
    syntax: chatSyntaxOf(wrapper),
    parseToolCalls: options.tools ?? true,
    parseReasoning: options.reasoning ?? true,
    startsInReasoning: false,
  });
  const events: ParsedOutput[] = pieces.flatMap((piece) => parser.push(piece));
  const end = parser.finish();
  events.push(...end.events);
  const text = (channel: string) =>
    events.map((event) => (event.type === "text" && event.channel === channel ? event.text : "")).join("");
  const streamedArguments: string[] = [];
  for (const event of events)
    if (event.type === "toolCall")
      streamedArguments[event.index] = (streamedArguments[event.index] ?? "") + event.argumentsDelta;
  return {
    content: text("content"),
    reasoning: text("reasoning"),
    calls: parser.calls,
    streamedArguments,
    ...(end.truncatedToolCall !== undefined ? { truncatedToolCall: end.truncatedToolCall } : {}),
  };
}

/** Reads the output whole and one character at a time, and checks both read the same. */
function readBothWays(
  wrapper: ChatWrapper,
  output: string,
  options?: { tools?: boolean; reasoning?: boolean },
): Read {
  const whole = read(wrapper, [output], options);
  expect(read(wrapper, [...output], options)).toEqual(whole);
  // The streamed argument fragments of each complete call add up to its arguments.
  expect(whole.streamedArguments.slice(0, whole.calls.length)).toEqual(
    whole.calls.map((call) => call.arguments),
  );
  return whole;
}

describe("Qwen3 (syntax read from its Jinja template)", () => {
  const qwen3 = template("Qwen-Qwen3-0.6B.jinja");

  it("reasoning, text, then parallel calls", () => {
    const output =
      '<think>\nThe user wants weather.\n</think>\n\nLet me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {"zone": "a \\"}\\" b"}}\n</tool_call>';
    expect(readBothWays(qwen3, output)).toMatchObject({
      reasoning: "The user wants weather.",
      content: "Let me check.",
      calls: [
        { name: "get_weather", arguments: '{"city": "Paris"}' },
        { name: "get_time", arguments: '{"zone": "a \\"}\\" b"}' },
      ],
    });
  });

  it("a call cut off is no call: its text is reported as truncated", () => {
    const result = readBothWays(qwen3, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Pa');
    expect(result.calls).toEqual([]);
    expect(result.truncatedToolCall).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Pa');
    expect(result.content).toBe("");
  });

  it("with tool calls and reasoning not parsed, the markers stay in the content", () => {
    const output = "<think>\nA\n</think>\n\nB <tool_call>";
    expect(readBothWays(qwen3, output, { tools: false, reasoning: false }).content).toBe(output);
  });

  it("text that merely starts like a marker is released as text", () => {
    expect(readBothWays(qwen3, "a <tool or <thinking> b").content).toBe("a <tool or <thinking> b");
  });
});

describe("Llama 3.1 (JSON calls, read from its Jinja template)", () => {
  it('{"name": …, "parameters": …} is a call', () => {
    const llama = template("meta-llama-Llama-3.1-8B-Instruct.jinja");
    expect(readBothWays(llama, '{"name": "get_weather", "parameters": {"city": "Paris"}}')).toMatchObject({
      content: "",
      calls: [{ name: "get_weather", arguments: '{"city": "Paris"}' }],
    });
  });
});

describe("Mistral (node-llama-cpp's Mistral wrapper)", () => {
  it("[TOOL_CALLS] with several calls and their ids", () => {
    const output =
      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "}"}, "id": "abc123def"}, {"name": "get_time", "arguments": {}, "id": "xyz987abc"}]';
    expect(readBothWays(new MistralChatWrapper(), output)).toMatchObject({
      content: "",
      calls: [
        { name: "get_weather", arguments: '{"city": "}"}' },
        { name: "get_time", arguments: "{}" },
      ],
    });
  });
});

describe("Harmony (gpt-oss)", () => {
  const harmony = new HarmonyChatWrapper();

  it("the analysis channel is reasoning, the final channel the answer", () => {
    const output =
      "<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Sunny.";
    expect(readBothWays(harmony, output)).toMatchObject({
      reasoning: "Think.",
      content: "Sunny.",
      calls: [],
    });
  });

  it("a commentary-channel call to functions.name", () => {
    const output =
      '<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>';
    expect(readBothWays(harmony, output)).toMatchObject({
      content: "",
      calls: [{ name: "get_weather", arguments: '{"city": "Paris"}' }],
    });
  });
});

describe("the generic syntax (wrappers without one of their own)", () => {
  it("||call: name({…}), several on new lines", () => {
    const output = 'Sure.\n||call: get_weather({"city": "Paris"})\n||call: get_time({})';
    expect(readBothWays(new GeneralChatWrapper(), output)).toMatchObject({
      content: "Sure.",
      calls: [
        { name: "get_weather", arguments: '{"city": "Paris"}' },
        { name: "get_time", arguments: "{}" },
      ],
    });
  });
});

describe("turn-end triggers come from the wrapper", () => {
  it("the General wrapper's text triggers (no end-of-generation token needed) end the turn", () => {
    const { stopTriggers } = chatSyntaxOf(new GeneralChatWrapper());
    expect(stopTriggers).toEqual(expect.arrayContaining(["### Human", "### Assistant"]));
  });

  it("Harmony ends its turn at <|return|>, and a message (not the turn) at <|end|>", () => {
    const syntax = chatSyntaxOf(new HarmonyChatWrapper());
    expect(syntax.stopTriggers).toContain("<|return|>");
    expect(syntax.messageEnd).toBe("<|end|>");
    expect(syntax.messageHeaders).toEqual(
      expect.arrayContaining(["<|start|>assistant", "<|channel|>final<|message|>"]),
    );
  });
});
