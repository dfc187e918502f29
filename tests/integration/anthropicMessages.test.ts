// Anthropic's Messages API (/v1/messages) through the official @anthropic-ai/sdk client, on scripted
// Qwen2.5 and Qwen3 fixtures: text answers, streams, tool use, thinking, stop reasons, count_tokens, errors.
import Anthropic from "@anthropic-ai/sdk";
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { startTestServer } from "../support/startTestServer.js";

// The scripted answers' argument values must not occur in prompts (they steer the scripts).
const tools: Tool[] = [
  {
    name: "get_weather",
    description: "The weather in a city",
    input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
];
const ask = (selector: string) => [{ role: "user" as const, content: `Please answer ${selector}` }];
const FLAGS = [
  ["--model", `qwen2.5=${familyFixturePath("qwen2.5")}`],
  ["--model", `qwen3=${familyFixturePath("qwen3")}`],
].flat();

function anthropicClient(url: string, apiKey = "not-needed"): Anthropic {
  // No retries: tests assert on the first answer.
  return new Anthropic({ baseURL: url, apiKey, maxRetries: 0 });
}

describe("Anthropic Messages", () => {
  let app: RunningInferql;
  let client: Anthropic;

  beforeAll(async () => {
    app = await startTestServer({ flags: FLAGS });
    client = anthropicClient(app.url);
  });

  afterAll(async () => {
    await app?.close();
  });

  it("answers with a text block, end_turn and usage", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: ask("@@plain"),
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "qwen2.5",
      content: [{ type: "text", text: "Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("a final assistant turn is a prefill: the answer continues it", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: [...ask("@@plain"), { role: "assistant", content: "Hello" }],
    });
    expect(message.content).toEqual([{ type: "text", text: " there" }]);
    expect(message.stop_reason).toBe("end_turn");
  });

  it("accepts a system prompt as text blocks and content as blocks", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      system: [{ type: "text", text: "You are terse." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Please answer @@plain" }] }],
      metadata: { user_id: "someone" },
    });
    expect(message.content).toEqual([{ type: "text", text: "Hello there" }]);
  });

  it("streams with messages.stream(): events in order and the final message assembled", async () => {
    const stream = client.messages.stream({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: ask("@@plain"),
    });
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: "text", text: "Hello there" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(types[0]).toBe("message_start");
    expect(types[1]).toBe("content_block_start");
    expect(types.filter((type) => type === "content_block_delta").length).toBeGreaterThan(0);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  });

  it("sends Anthropic's named SSE events, with a ping", async () => {
    const response = await fetch(`${app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "qwen2.5",
        max_tokens: 32,
        temperature: 0,
        stream: true,
        messages: ask("@@plain"),
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const names = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(names.slice(0, 3)).toEqual(["message_start", "ping", "content_block_start"]);
    expect(names.at(-1)).toBe("message_stop");
  });

  it("calls a tool: a tool_use block with its parsed input and stop_reason tool_use", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 64,
      temperature: 0,
      tools,
      messages: ask("@@call"),
    });
    expect(message.stop_reason).toBe("tool_use");
    const toolUse = message.content.find((block) => block.type === "tool_use");
    expect(toolUse).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    expect(toolUse?.type === "tool_use" && toolUse.id).toMatch(/^toolu_/);
  });

  it("streams a tool call as input_json_delta and assembles its input", async () => {
    const stream = client.messages.stream({
      model: "qwen2.5",
      max_tokens: 64,
      temperature: 0,
      tools,
      messages: ask("@@call"),
    });
    const deltaTypes = new Set<string>();
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta") deltaTypes.add(event.delta.type);
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(deltaTypes.has("input_json_delta")).toBe(true);
    expect(message.content.find((block) => block.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: { city: "Paris" },
    });
  });

  it("accepts a follow-up turn carrying the tool_use and its tool_result", async () => {
    const first = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 64,
      temperature: 0,
      tools,
      messages: ask("@@call"),
    });
    const toolUse = first.content.find((block) => block.type === "tool_use");
    if (toolUse?.type !== "tool_use") throw new Error("expected a tool_use block");
    const response = await client.messages
      .create({
        model: "qwen2.5",
        max_tokens: 16,
        temperature: 0,
        tools,
        messages: [
          ...ask("@@call"),
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                tool_use_id: toolUse.id,
                content: [{ type: "text", text: "Sunny, 21 degrees" }],
              },
              { type: "text", text: "Thanks" },
            ],
          },
        ],
      })
      .withResponse();
    expect(response.response.status).toBe(200);
    expect(response.data.type).toBe("message");
  });

  it("returns qwen3's reasoning as a thinking block before the text", async () => {
    const message = await client.messages.create({
      model: "qwen3",
      max_tokens: 64,
      temperature: 0,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: ask("@@think"),
    });
    expect(message.content).toEqual([
      { type: "thinking", thinking: "Let me think", signature: "" },
      { type: "text", text: "Sunny today" },
    ]);
  });

  it("streams thinking as thinking_delta in its own block", async () => {
    const stream = client.messages.stream({
      model: "qwen3",
      max_tokens: 64,
      temperature: 0,
      messages: ask("@@think"),
    });
    const deltaTypes: string[] = [];
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta") deltaTypes.push(event.delta.type);
    });
    const message = await stream.finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(message.content[0]).toMatchObject({ thinking: "Let me think" });
    expect(message.content[1]).toMatchObject({ text: "Sunny today" });
    expect(deltaTypes.indexOf("thinking_delta")).toBeLessThan(deltaTypes.indexOf("text_delta"));
  });

  it("accepts a thinking block in an earlier assistant turn", async () => {
    const message = await client.messages.create({
      model: "qwen3",
      max_tokens: 64,
      temperature: 0,
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "A greeting", signature: "" },
            { type: "text", text: "Hi!" },
          ],
        },
        ...ask("@@plain"),
      ],
    });
    expect(message.stop_reason).toBe("end_turn");
  });

  it("reports max_tokens when the limit cuts the answer", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 1,
      temperature: 0,
      messages: ask("@@plain"),
    });
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(1);
  });

  it("serves a max_tokens beyond the context, as clients send by default (Claude Code 32,000, the AI SDK 4,096)", async () => {
    // Streamed, as such clients do (the SDK refuses an unstreamed request this large).
    const answered = await client.messages
      .stream({ model: "qwen2.5", max_tokens: 32_000, temperature: 0, messages: ask("@@plain") })
      .finalMessage();
    expect(answered).toMatchObject({
      stop_reason: "end_turn",
      content: [{ type: "text", text: "Hello there" }],
    });
    // The context (2,048 tokens a slot here) ends an answer that would run on: stop_reason max_tokens.
    const long = [{ role: "user" as const, content: "hello ".repeat(1900) }];
    const { input_tokens } = await client.messages.countTokens({ model: "tiny", messages: long });
    const cut = await client.messages
      .stream({ model: "tiny", max_tokens: 32_000, messages: long })
      .finalMessage();
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.usage.input_tokens + cut.usage.output_tokens).toBe(2048);
    expect(cut.usage.input_tokens).toBe(input_tokens);
  });

  it("reports stop_sequence and which one when a stop sequence ends the answer", async () => {
    const message = await client.messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      stop_sequences: ["there"],
      messages: ask("@@plain"),
    });
    expect(message).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "there" });
    expect(message.content).toEqual([{ type: "text", text: "Hello" }]);
  });

  it("serves a request shaped as Claude Code sends it: the beta namespace, cached system blocks, a large max_tokens", async () => {
    // Claude Code calls client.beta.messages (`?beta=true`, `anthropic-beta` headers), streams, and
    // sends cache_control, metadata, draft-07 tool schemas and 32,000 max_tokens.
    const message = await client.beta.messages
      .stream({
        model: "qwen2.5",
        max_tokens: 32_000,
        betas: ["interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14"],
        system: [{ type: "text", text: "You are a coding agent.", cache_control: { type: "ephemeral" } }],
        metadata: { user_id: "user_1" },
        tools: [
          {
            name: "get_weather",
            description: "The weather in a city",
            input_schema: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            },
          },
        ],
        messages: [
          {
            role: "user",
            content: [{ type: "text", text: "Please answer @@call", cache_control: { type: "ephemeral" } }],
          },
        ],
        temperature: 0,
      })
      .finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([
      {
        type: "tool_use",
        id: expect.stringMatching(/^toolu_/),
        name: "get_weather",
        input: { city: "Paris" },
      },
    ]);
    const counted = await client.beta.messages.countTokens({
      model: "qwen2.5",
      betas: ["token-counting-2024-11-01"],
      messages: ask("@@plain"),
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("counts a request's input tokens", async () => {
    const counted = await client.messages.countTokens({ model: "qwen2.5", tools, messages: ask("@@plain") });
    const without = await client.messages.countTokens({ model: "qwen2.5", messages: ask("@@plain") });
    expect(counted.input_tokens).toBeGreaterThan(without.input_tokens);
    expect(without.input_tokens).toBeGreaterThan(0);
  });

  it("refuses a request without max_tokens: 400 invalid_request_error", async () => {
    const response = await fetch(`${app.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "qwen2.5", messages: ask("@@plain") }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/max_tokens/);
  });

  it("answers an unknown model 404 not_found_error, through the SDK's error class", async () => {
    const error = await client.messages
      .create({ model: "no-such-model", max_tokens: 8, temperature: 0, messages: ask("@@plain") })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
  });
});

describe("Anthropic Messages with API keys", () => {
  let app: RunningInferql;

  beforeAll(async () => {
    app = await startTestServer({ flags: [...FLAGS, "--api-key", "secret-key"] });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("takes the key from x-api-key", async () => {
    const message = await anthropicClient(app.url, "secret-key").messages.create({
      model: "qwen2.5",
      max_tokens: 32,
      temperature: 0,
      messages: ask("@@plain"),
    });
    expect(message.content).toEqual([{ type: "text", text: "Hello there" }]);
  });

  it("refuses a wrong key: 401 authentication_error", async () => {
    const error = await anthropicClient(app.url, "wrong-key")
      .messages.create({ model: "qwen2.5", max_tokens: 8, temperature: 0, messages: ask("@@plain") })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
  });
});
