// Generation behaviour through the resolvers, on the real engine and the generated tiny models.
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunningInferql } from "../../../src/app.js";
import { collect, finishedOf } from "../../support/collect.js";
import { startTestServer } from "../../support/startTestServer.js";

let app: RunningInferql;
beforeAll(async () => {
  app = await startTestServer({ withStopsEarlyModel: true });
});
afterAll(async () => app?.close());

const hello = [{ role: "user" as const, content: "Say something." }];
const ajv = new Ajv();

describe("sampling", () => {
  test("the same seed gives the same output", async () => {
    const input = { messages: hello, maxTokens: 24, seed: 1234, temperature: 0.9, cachePrompt: false };
    const first = await app.resolvers.createChatCompletion(input);
    const second = await app.resolvers.createChatCompletion(input);
    expect(first.content).toBeTruthy();
    expect(second.content).toBe(first.content);
  });

  test("different seeds give different output", async () => {
    const input = { messages: hello, maxTokens: 24, temperature: 0.9, cachePrompt: false };
    const first = await app.resolvers.createChatCompletion({ ...input, seed: 1 });
    const second = await app.resolvers.createChatCompletion({ ...input, seed: 2 });
    expect(second.content).not.toBe(first.content);
  });

  test("a logit bias of -100 bans a token", async () => {
    const greedy = await app.resolvers.createChatCompletion({
      messages: hello,
      maxTokens: 1,
      temperature: 0,
    });
    const first = (await app.resolvers.tokenize({ text: greedy.content?.trimStart() ?? "" })).tokens[0].id;
    const banned = await app.resolvers.createChatCompletion({
      messages: hello,
      maxTokens: 1,
      temperature: 0,
      logitBias: { [first]: -100 },
    });
    expect(banned.content).not.toBe(greedy.content);
  });

  test("logprobs report one entry per token with the requested alternatives", async () => {
    const result = await app.resolvers.createChatCompletion({
      messages: hello,
      maxTokens: 6,
      logprobs: true,
      topLogprobs: 3,
    });
    expect(result.logprobs).toHaveLength(6);
    for (const entry of result.logprobs ?? []) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.topLogprobs).toHaveLength(3);
    }
    expect(result.logprobs?.map((entry) => entry.token).join("")).toBe(result.content);
  });
});

describe("finish reasons", () => {
  test("max tokens ends with length and exactly that many tokens", async () => {
    const result = await app.resolvers.createChatCompletion({ messages: hello, maxTokens: 17 });
    expect(result.finishReason).toBe("length");
    expect(result.usage.completionTokens).toBe(17);
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens + 17);
  });

  test("a stop sequence ends with stop and is not part of the output", async () => {
    const input = { messages: hello, maxTokens: 40, seed: 99, temperature: 0.9, cachePrompt: false };
    const free = await app.resolvers.createChatCompletion(input);
    const text = free.content ?? "";
    const stop = text.slice(10, 13);
    const stopped = await app.resolvers.createChatCompletion({ ...input, stop: [stop] });
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.content).toBe(text.slice(0, text.indexOf(stop)));
  });

  test("the model's end-of-generation token ends with stop", async () => {
    const result = await app.resolvers.createChatCompletion({
      model: "stops-early",
      messages: hello,
      maxTokens: 50,
    });
    expect(result.finishReason).toBe("stop");
    expect(result.usage.completionTokens).toBeLessThan(50);
  });

  test("cancelling by id ends the stream with cancelled", async () => {
    const events = [];
    for await (const event of app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 1500 })) {
      events.push(event);
      if (event.type === "contentDelta" && events.length === 5) app.resolvers.cancelGeneration(event.id);
    }
    const finished = finishedOf(events);
    expect(finished.finishReason).toBe("cancelled");
    expect(finished.usage.completionTokens).toBeLessThan(1500);
  });

  test("an aborted signal ends the stream with cancelled", async () => {
    const controller = new AbortController();
    const events = [];
    for await (const event of app.resolvers.streamChatCompletion(
      { messages: hello, maxTokens: 1500 },
      { signal: controller.signal },
    )) {
      events.push(event);
      if (events.length === 3) controller.abort();
    }
    expect(finishedOf(events).finishReason).toBe("cancelled");
  });
});

describe("constrained output", () => {
  test("a GBNF grammar constrains the output", async () => {
    const grammar = 'root ::= ("yes" | "no") ", " [0-9] [0-9]';
    for (const seed of [1, 2, 3]) {
      const result = await app.resolvers.createChatCompletion({
        messages: hello,
        grammar,
        seed,
        maxTokens: 20,
      });
      expect(result.content).toMatch(/^(yes|no), \d\d$/);
      expect(result.finishReason).toBe("stop");
    }
  });

  test("a JSON schema response format gives JSON that validates", async () => {
    const schema = {
      type: "object",
      properties: {
        answer: { type: "boolean" },
        color: { enum: ["red", "green", "blue"] },
        tags: { type: "array", items: { type: "string", maxLength: 6 }, maxItems: 3 },
      },
      required: ["answer", "color", "tags"],
    };
    const result = await app.resolvers.createChatCompletion({
      messages: hello,
      maxTokens: 200,
      responseFormat: { type: "json_schema", jsonSchema: { name: "reply", schema } },
    });
    expect(result.finishReason).toBe("stop");
    expect(ajv.validate(schema, JSON.parse(result.content ?? ""))).toBe(true);
  });

  test("the json_object response format gives a JSON object", async () => {
    const result = await app.resolvers.createChatCompletion({
      messages: hello,
      maxTokens: 400,
      seed: 5,
      responseFormat: { type: "json_object" },
    });
    if (result.finishReason === "stop") expect(typeof JSON.parse(result.content ?? "")).toBe("object");
    else expect(result.content?.trimStart().startsWith("{")).toBe(true);
  });
});

describe("tools", () => {
  const weather = {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Current weather in a city",
      parameters: {
        type: "object",
        properties: { city: { enum: ["Paris", "Rome", "Oslo"] }, celsius: { type: "boolean" } },
        required: ["city", "celsius"],
      },
    },
  };
  const time = {
    type: "function" as const,
    function: {
      name: "get_time",
      parameters: { type: "object", properties: { zone: { enum: ["UTC", "CET"] } }, required: ["zone"] },
    },
  };

  test("tool choice required gives calls whose arguments validate", async () => {
    const result = await app.resolvers.createChatCompletion({
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weather, time],
      toolChoice: "required",
      parallelToolCalls: false,
      maxTokens: 120,
    });
    expect(result.finishReason).toBe("tool_calls");
    expect(result.content).toBeNull();
    expect(result.toolCalls).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call.id).toMatch(/^call_/);
    const tool = [weather, time].find((candidate) => candidate.function.name === call.name);
    expect(tool).toBeDefined();
    expect(ajv.validate(tool?.function.parameters ?? {}, JSON.parse(call.arguments))).toBe(true);
  });

  test("a named tool choice calls that tool, streaming its name before its arguments", async () => {
    const events = await collect(
      app.resolvers.streamChatCompletion({
        messages: [{ role: "user", content: "What time is it?" }],
        tools: [weather, time],
        toolChoice: { type: "function", function: { name: "get_time" } },
        maxTokens: 120,
      }),
    );
    const deltas = events.filter((event) => event.type === "toolCallDelta");
    expect(deltas[0]).toMatchObject({ index: 0, name: "get_time" });
    expect(deltas[0].callId).toMatch(/^call_/);
    const streamedArguments = deltas.map((delta) => delta.argumentsDelta).join("");
    const finished = finishedOf(events);
    expect(finished.finishReason).toBe("tool_calls");
    expect(finished.toolCalls).toEqual([
      { id: deltas[0].callId, name: "get_time", arguments: streamedArguments },
    ]);
    expect(ajv.validate(time.function.parameters, JSON.parse(streamedArguments))).toBe(true);
  });

  test("several calls come back as separate tool calls when parallel calls are allowed", async () => {
    const counts = new Set<number>();
    // Whether the random model goes on after a call depends on the seed: some of these do.
    for (let seed = 1; seed <= 16; seed++) {
      const result = await app.resolvers.createChatCompletion({
        messages: [{ role: "user", content: "Weather and time?" }],
        tools: [weather, time],
        toolChoice: "required",
        seed,
        maxTokens: 400,
      });
      if (result.finishReason !== "tool_calls") continue;
      counts.add(result.toolCalls.length);
      for (const call of result.toolCalls) expect(() => JSON.parse(call.arguments)).not.toThrow();
    }
    expect([...counts].some((count) => count > 1)).toBe(true);
  });

  test("tool choice none answers in text", async () => {
    const result = await app.resolvers.createChatCompletion({
      messages: hello,
      tools: [weather],
      toolChoice: "none",
      maxTokens: 8,
    });
    expect(result.toolCalls).toEqual([]);
    expect(result.content).toBeTruthy();
  });

  test("an earlier tool call and its result can be sent back", async () => {
    const result = await app.resolvers.createChatCompletion({
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        {
          role: "assistant",
          content: null,
          toolCalls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: "tool", toolCallId: "call_1", content: '{"temperature": -3}' },
      ],
      tools: [weather],
      maxTokens: 8,
    });
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });
});

describe("LoRA", () => {
  const input = { messages: hello, maxTokens: 16, temperature: 0, cachePrompt: false };

  test("scale 0 equals the base model and scale 1 differs", async () => {
    const base = await app.resolvers.createChatCompletion(input);
    const scaleZero = await app.resolvers.createChatCompletion({
      ...input,
      lora: [{ name: "style", scale: 0 }],
    });
    const scaleOne = await app.resolvers.createChatCompletion({ ...input, lora: "style" });
    expect(scaleZero.content).toBe(base.content);
    expect(scaleOne.content).not.toBe(base.content);
  });
});

describe("other operations", () => {
  test("embeddings give one vector per input, of the model's width", async () => {
    const result = await app.resolvers.createEmbeddings({ input: ["hello world", "the model"] });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0].length).toBe(app.resolvers.listModels()[0].embeddingSize);
    expect(result.vectors[0]).not.toEqual(result.vectors[1]);
  });

  test("tokenize and detokenize round-trip", async () => {
    const text = "hello world, the model";
    const { tokens } = await app.resolvers.tokenize({ text });
    expect(tokens.length).toBeGreaterThan(1);
    expect((await app.resolvers.detokenize({ tokens: tokens.map((token) => token.id) })).text).toBe(text);
  });

  test("models list their adapters, context size and chat template", () => {
    const tiny = app.resolvers.findModel("tiny");
    expect(tiny).toMatchObject({
      id: "tiny",
      adapters: ["style"],
      contextSize: 2048,
      chatTemplate: "ChatML",
    });
  });

  test("raw completion uses the prompt as is", async () => {
    const result = await app.resolvers.createCompletion({ prompt: "the water", maxTokens: 10 });
    expect(result.usage.promptTokens).toBe(
      (await app.resolvers.tokenize({ text: "the water" })).tokens.length + 1,
    );
    expect(result.usage.completionTokens).toBe(10);
  });
});
