// Anthropic's Messages API (/v1/messages), OpenAI's Responses API (/v1/responses) and Ollama's API
// (/api/chat) on remote models (issue #16): a gateway inferql in front of an inferql replica serving
// the scripted Qwen2.5 and Qwen3 fixtures, through the official @anthropic-ai/sdk, openai and ollama
// clients, streamed and not: text, tool calls and reasoning cross the upstream hop as structure,
// with usage and stop reasons.
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import type { OpenAI } from "openai";
import type { FunctionTool, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { startGateway } from "../support/gateway.js";
import { openAiClient, postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";
import { toolConversation, weatherTool } from "../support/toolConversation.js";

// The scripted answers' argument values must not occur in prompts (they steer the scripts).
const weather = {
  name: "get_weather",
  description: "The weather in a city",
  schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};
const ask = (selector: string) => `Please answer ${selector}`;

let replica: RunningInferql;
let gateway: RunningInferql;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  replica = await startTestServer({
    flags: [
      ["--model", `qwen2.5=${familyFixturePath("qwen2.5")}`],
      ["--model", `qwen3=${familyFixturePath("qwen3")}`],
    ].flat(),
  });
  gateway = await startGateway(
    ["qwen2.5", "qwen3"].map((model) => `${model}=${replica.url},kind=llama,slots=2,health=60,timeout=10`),
  );
  // No retries: tests assert on the first answer.
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: "not-needed", maxRetries: 0 });
  openai = openAiClient(gateway.url);
});

afterAll(async () => {
  await gateway?.close();
  await replica?.close();
});

describe("Anthropic Messages on a remote model", () => {
  it("answers with a text block, end_turn and usage", async () => {
    const message = await anthropic.messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: [{ role: "user", content: ask("@@plain") }],
    });
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "qwen2.5",
      content: [{ type: "text", text: "Hello there" }],
      stop_reason: "end_turn",
    });
    expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams text deltas to message_stop, and max_tokens as the stop reason when it cuts", async () => {
    const stream = anthropic.messages.stream({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: [{ role: "user", content: ask("@@plain") }],
    });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    }
    expect(text).toBe("Hello there");
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);

    const cut = await anthropic.messages.create({
      model: "qwen2.5",
      max_tokens: 1,
      temperature: 0,
      messages: [{ role: "user", content: ask("@@plain") }],
    });
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.usage.output_tokens).toBe(1);
  });

  it("returns a tool_use block, streamed and not", async () => {
    const request = {
      model: "qwen2.5",
      max_tokens: 64,
      temperature: 0,
      tools: [{ name: weather.name, description: weather.description, input_schema: weather.schema }],
      messages: [{ role: "user" as const, content: ask("@@call") }],
    };
    const message = await anthropic.messages.create(request);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content.find((block) => block.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: { city: "Paris" },
    });
    const streamed = await anthropic.messages.stream(request).finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    expect(streamed.content.find((block) => block.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: { city: "Paris" },
    });
  });

  it("returns a thinking model's reasoning as a thinking block before the text", async () => {
    const message = await anthropic.messages.create({
      model: "qwen3",
      max_tokens: 64,
      temperature: 0,
      messages: [{ role: "user", content: ask("@@think") }],
    });
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(message.content[0]).toMatchObject({ thinking: "Let me think" });
    expect(message.content[1]).toMatchObject({ text: "Sunny today" });
  });
});

describe("OpenAI Responses on a remote model", () => {
  const tools: FunctionTool[] = [
    {
      type: "function",
      name: weather.name,
      description: weather.description,
      parameters: weather.schema,
      strict: false,
    },
  ];
  const qwen25 = { model: "qwen2.5", temperature: 0, max_output_tokens: 40 };

  it("answers with a completed response and usage", async () => {
    const response = await openai.responses.create({ ...qwen25, input: ask("@@plain") });
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: "qwen2.5",
      error: null,
    });
    expect(response.output_text).toBe("Hello there");
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
  });

  it("streams its events in order to response.completed", async () => {
    const stream = openai.responses.stream({ ...qwen25, input: ask("@@plain") });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const deltas = events.flatMap((event) =>
      event.type === "response.output_text.delta" ? [event.delta] : [],
    );
    expect(deltas.join("")).toBe("Hello there");
    expect(events[0].type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    expect((await stream.finalResponse()).status).toBe("completed");
  });

  it("returns a function call, and is incomplete when max_output_tokens cuts", async () => {
    const response = await openai.responses.create({ ...qwen25, input: `Weather? @@call`, tools });
    expect(response.output.find((item) => item.type === "function_call")).toMatchObject({
      name: "get_weather",
      arguments: expect.stringContaining("Paris"),
    });
    const cut = await openai.responses.create({ ...qwen25, input: ask("@@plain"), max_output_tokens: 1 });
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("reports a thinking model's reasoning as a reasoning item, streamed and not, its tokens counted", async () => {
    const qwen3 = { model: "qwen3", temperature: 0, max_output_tokens: 40, input: ask("@@think") };
    const response = await openai.responses.create(qwen3);
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(response.output_text).toBe("Sunny today");
    // The replica's count (completion_tokens_details.reasoning_tokens), carried over the hop.
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(5);
    const events: ResponseStreamEvent[] = [];
    for await (const event of openai.responses.stream(qwen3)) events.push(event);
    const reasoning = events.flatMap((event) =>
      event.type === "response.reasoning_text.delta" ? [event.delta] : [],
    );
    expect(reasoning.join("")).toBe("Let me think");
  });
});

describe("a tool call cut off by max_tokens on a remote model", () => {
  it("is not reported as a call, as on the replica itself: finish_reason length", async () => {
    const request = {
      model: "qwen2.5",
      temperature: 0,
      max_tokens: 6,
      messages: [{ role: "user" as const, content: ask("@@call") }],
      tools: [{ type: "function" as const, function: { name: weather.name, parameters: weather.schema } }],
    };
    const direct = await openAiClient(replica.url).chat.completions.create(request);
    const through = await openai.chat.completions.create(request);
    expect(direct.choices[0].finish_reason).toBe("length");
    expect(direct.choices[0].message.tool_calls).toBeUndefined();
    expect(through.choices[0].finish_reason).toBe("length");
    expect(through.choices[0].message.tool_calls).toBeUndefined();
  });
});

describe("logprobs on a remote model", () => {
  it("the Responses API's include message.output_text.logprobs crosses the hop, a token each", async () => {
    const response = await openai.responses.create({
      model: "qwen2.5",
      temperature: 0,
      input: ask("@@plain"),
      include: ["message.output_text.logprobs"],
      top_logprobs: 2,
    });
    const [message] = response.output;
    const part = message.type === "message" ? message.content[0] : undefined;
    const logprobs = part?.type === "output_text" ? (part.logprobs ?? []) : [];
    expect(logprobs.map((logprob) => logprob.token)).toEqual(["Hello", " there"]);
    expect(logprobs.every((logprob) => logprob.top_logprobs.length === 2)).toBe(true);
  });
});

describe("prompt rendering and token counts on a remote model (the replica's own Qwen templates)", () => {
  it.each(["qwen2.5", "qwen3"])(
    "%s: /apply-template with tools, a tool call and its result is the replica's own prompt",
    async (model) => {
      const body = { model, messages: toolConversation, tools: [weatherTool] };
      const direct = await postJson(`${replica.url}/apply-template`, body);
      const through = await postJson(`${gateway.url}/apply-template`, body);
      expect(through.status).toBe(200);
      expect(through.body).toEqual(direct.body);
      expect((direct.body as { prompt: string }).prompt).toContain("<tool_call>");
    },
  );

  it("Anthropic count_tokens on the thinking model, with tools and a tool round trip, is the replica's count", async () => {
    const request = {
      model: "qwen3",
      tools: [
        {
          name: "get_weather",
          description: "The weather in a city",
          input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
        },
      ],
      messages: [
        { role: "user" as const, content: "Weather in Paris?" },
        {
          role: "assistant" as const,
          content: [
            { type: "tool_use" as const, id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user" as const,
          content: [{ type: "tool_result" as const, tool_use_id: "toolu_1", content: '{"temperature":21}' }],
        },
      ],
    };
    const direct = await new Anthropic({
      baseURL: replica.url,
      apiKey: "x",
      maxRetries: 0,
    }).messages.countTokens(request);
    const through = await anthropic.messages.countTokens(request);
    expect(direct.input_tokens).toBeGreaterThan(0);
    expect(through).toEqual(direct);
  });
});

describe("Ollama's chat on a remote model", () => {
  it("answers with the content, the done reason and the counts", async () => {
    const answer = await new Ollama({ host: gateway.url }).chat({
      model: "qwen2.5",
      messages: [{ role: "user", content: ask("@@plain") }],
      options: { temperature: 0 },
    });
    expect(answer).toMatchObject({ message: { content: "Hello there" }, done_reason: "stop", eval_count: 2 });
    expect(answer.prompt_eval_count).toBeGreaterThan(0);
  });

  it("streams a tool call whole, and reasoning as thinking", async () => {
    const ollama = new Ollama({ host: gateway.url });
    const calls: unknown[] = [];
    const tools = [{ type: "function", function: { name: weather.name, parameters: weather.schema } }];
    const stream = await ollama.chat({
      model: "qwen2.5",
      messages: [{ role: "user", content: ask("@@call") }],
      tools,
      options: { temperature: 0 },
      stream: true,
    });
    for await (const chunk of stream) calls.push(...(chunk.message.tool_calls ?? []));
    expect(calls).toMatchObject([{ function: { name: "get_weather", arguments: { city: "Paris" } } }]);

    const thought = await ollama.chat({
      model: "qwen3",
      messages: [{ role: "user", content: ask("@@think") }],
      options: { temperature: 0 },
    });
    expect(thought.message).toMatchObject({ thinking: "Let me think", content: "Sunny today" });
  });
});
