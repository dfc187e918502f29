// The Vercel AI SDK against the real server, as its users point it at a local one: the OpenAI
// provider (`openai.chat`: chat completions; `openai.responses`: the Responses API, its default), the
// OpenAI-compatible provider, the Anthropic provider (/v1/messages) and the community Ollama
// provider (/api/chat). Text, streams with usage, tool
// calls and a tool loop (the result sent back in the SDK's own shape), reasoning, structured output
// validated by the SDK, embeddings and cancellation. The answers come from the scripted Qwen
// fixtures (their real templates and tool-call syntax) and, for structured output, from the random
// tiny model under the schema's grammar.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { embedMany, generateText, type LanguageModel, Output, stepCountIs, streamText, tool } from "ai";
import { createOllama } from "ollama-ai-provider-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let openai: ReturnType<typeof createOpenAI>;
let compatible: ReturnType<typeof createOpenAICompatible>;
let anthropic: ReturnType<typeof createAnthropic>;
let ollama: ReturnType<typeof createOllama>;

beforeAll(async () => {
  app = await startTestServer({
    flags: ["qwen2.5", "qwen3"].flatMap((family) => [
      "--model",
      `${family}=${familyFixturePath(family as "qwen2.5" | "qwen3")}`,
    ]),
  });
  const baseURL = `${app.url}/v1`;
  openai = createOpenAI({ baseURL, apiKey: "not-needed" });
  compatible = createOpenAICompatible({ name: "inferql", baseURL, includeUsage: true });
  anthropic = createAnthropic({ baseURL, apiKey: "not-needed" });
  ollama = createOllama({ baseURL: `${app.url}/api` });
});

/** Every provider and API the SDK reaches inferql through, as a model of a given id. */
const providers: [string, (model: string) => LanguageModel][] = [
  ["openai.chat (chat completions)", (model) => openai.chat(model)],
  ["openai.responses (the Responses API)", (model) => openai.responses(model)],
  ["openai-compatible (chat completions)", (model) => compatible.chatModel(model)],
  ["anthropic (the Messages API)", (model) => anthropic(model)],
  ["ollama-ai-provider-v2 (Ollama's /api/chat)", (model) => ollama(model)],
];

afterAll(async () => {
  await app?.close();
});

/** The scripted fixture's argument value is kept out of the prompt (it steers the script). */
const weatherTool = (calls: string[]) =>
  tool({
    description: "The weather in a city",
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return { forecast: "sunny" };
    },
  });

/** A schema whose every value the grammar bounds (enums, a ranged integer, a boolean): no open strings. */
const verdictSchema = z.object({
  color: z.enum(["red", "green", "blue"]),
  count: z.number().int().min(0).max(9),
  done: z.boolean(),
});

describe("every AI SDK provider", () => {
  it.each(providers)(
    "%s: streamText streams the answer, then its finish reason and usage",
    async (_, model) => {
      const result = streamText({ model: model("qwen2.5"), prompt: "Please answer @@plain", temperature: 0 });
      const parts: string[] = [];
      for await (const text of result.textStream) parts.push(text);
      expect(parts).toEqual(["Hello", " there"]);
      expect(await result.finishReason).toBe("stop");
      const usage = await result.usage;
      expect(usage.inputTokens).toBeGreaterThan(0);
      // "Hello", " there": the end-of-turn token ends the answer and is not part of it.
      expect(usage.outputTokens).toBe(2);
    },
  );

  it.each(providers)("%s: streamText assembles a streamed tool call and runs it", async (_, model) => {
    const calls: string[] = [];
    const result = streamText({
      model: model("qwen2.5"),
      prompt: "Please answer @@call",
      temperature: 0,
      tools: { get_weather: weatherTool(calls) },
    });
    expect(await result.toolCalls).toEqual([
      expect.objectContaining({ toolName: "get_weather", input: { city: "Paris" } }),
    ]);
    expect(await result.finishReason).toBe("tool-calls");
    expect(calls).toEqual(["Paris"]);
  });
});

describe("the AI SDK's OpenAI provider", () => {
  const apis: [string, (model: string) => LanguageModel][] = [
    ["chat completions", (model) => openai.chat(model)],
    ["responses", (model) => openai.responses(model)],
  ];

  it.each(apis)(
    "generateText over %s returns the model's answer, finish reason and usage",
    async (_, model) => {
      const result = await generateText({
        model: model("qwen2.5"),
        prompt: "Please answer @@plain",
        temperature: 0,
      });
      expect(result.text).toBe("Hello there");
      expect(result.finishReason).toBe("stop");
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBe(2);
    },
  );

  it.each(apis)("logprobs over %s reach the SDK's provider metadata, a token each", async (_, model) => {
    const result = await generateText({
      model: model("qwen2.5"),
      prompt: "Please answer @@plain",
      temperature: 0,
      providerOptions: { openai: { logprobs: 2 } },
    });
    // Chat: one list of the answer's tokens; Responses: one list per output_text part.
    const logprobs = (
      (result.providerMetadata?.openai.logprobs ?? []) as ({ token: string } | { token: string }[])[]
    ).flat();
    expect(logprobs.map((logprob) => logprob.token)).toEqual(["Hello", " there"]);
  });

  it("over the Responses API, reasoning stays out of the answer, in its reasoning item", async () => {
    // The SDK's OpenAI provider reads reasoning text from summaries only (OpenAI's own models show no
    // other), and asks for one only for model ids it knows as reasoning models. inferql, like vLLM,
    // returns an open model's reasoning as the item's reasoning_text content: it reaches the SDK's
    // users as the reasoning item in the response body; the compatible provider below reads it as text.
    const model = openai.responses("qwen3");
    const generated = await generateText({ model, prompt: "Please answer @@think", temperature: 0 });
    expect(generated.text).toBe("Sunny today");
    expect(generated.usage.outputTokenDetails.reasoningTokens).toBe(5);
    const body = generated.response.body as { output: unknown[] };
    expect(body.output[0]).toMatchObject({
      type: "reasoning",
      content: [{ type: "reasoning_text", text: "Let me think" }],
    });
    const streamed = streamText({ model, prompt: "Please answer @@think", temperature: 0 });
    const parts: string[] = [];
    for await (const part of streamed.fullStream) parts.push(part.type);
    expect(await streamed.text).toBe("Sunny today");
    expect(parts.indexOf("reasoning-end")).toBeLessThan(parts.indexOf("text-start"));
    expect(parts.indexOf("reasoning-start")).toBeGreaterThanOrEqual(0);
  });

  it.each(apis)(
    "streamText over %s with an abortSignal: aborting mid-stream cancels the generation",
    async (_, model) => {
      const reasons: string[] = [];
      const unsubscribe = app.scheduler.onEvent((event) => {
        if (event.type === "finished") reasons.push(event.reason);
      });
      try {
        const controller = new AbortController();
        const result = streamText({
          model: model("tiny"),
          prompt: "Tell a long story.",
          maxOutputTokens: 2000,
          abortSignal: controller.signal,
        });
        for await (const _text of result.textStream) {
          controller.abort();
          break;
        }
        // The slot is free long before 2,000 tokens could have been generated.
        await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.activeCount === 0);
        expect(reasons).toEqual(["cancelled"]);
      } finally {
        unsubscribe();
      }
    },
  );

  it.each(apis)(
    "a tool loop over %s: the call is parsed and run, and its result is accepted",
    async (_, model) => {
      const calls: string[] = [];
      const result = await generateText({
        model: model("qwen2.5"),
        prompt: "Please answer @@call",
        temperature: 0,
        maxOutputTokens: 40,
        tools: { get_weather: weatherTool(calls) },
        stopWhen: stepCountIs(2),
      });
      const [first, second] = result.steps;
      expect(first.finishReason).toBe("tool-calls");
      expect(first.toolCalls).toEqual([
        expect.objectContaining({ toolName: "get_weather", input: { city: "Paris" } }),
      ]);
      expect(calls[0]).toBe("Paris");
      // The second step is the SDK's follow-up, answered: the call and its result in the SDK's shape
      // (chat: an assistant message with tool_calls and a tool message; responses: function_call and
      // function_call_output items). What the fixture answers to it is beside the point.
      const callId = first.toolCalls[0].toolCallId;
      const sent = second.request.body as { messages?: unknown[]; input?: unknown[] };
      expect(sent.messages ?? sent.input).toContainEqual(
        sent.messages
          ? { role: "tool", tool_call_id: callId, content: JSON.stringify({ forecast: "sunny" }) }
          : { type: "function_call_output", call_id: callId, output: JSON.stringify({ forecast: "sunny" }) },
      );
      expect(second.response.id).toBeTruthy();
    },
  );

  it.each(apis)(
    "Output.object over %s: the content follows the schema and the SDK validates it",
    async (_, model) => {
      // Sampled (the Responses API takes no seed): the grammar alone keeps every answer valid.
      for (let attempt = 0; attempt < 2; attempt++) {
        const { output } = await generateText({
          model: model("tiny"),
          prompt: "Give a verdict.",
          maxOutputTokens: 200,
          output: Output.object({ schema: verdictSchema }),
        });
        expect(verdictSchema.parse(output)).toEqual(output);
      }
    },
  );
});

describe("the AI SDK's OpenAI provider, beyond chat", () => {
  it("toolChoice naming a tool forces a call whose input follows its schema", async () => {
    const { toolCalls, finishReason } = await generateText({
      model: openai.chat("tiny"),
      prompt: "Pick a unit.",
      maxOutputTokens: 100,
      toolChoice: { type: "tool", toolName: "set_unit" },
      tools: { set_unit: tool({ inputSchema: z.object({ unit: z.enum(["celsius", "fahrenheit"]) }) }) },
    });
    expect(finishReason).toBe("tool-calls");
    expect(toolCalls).toEqual([
      expect.objectContaining({
        toolName: "set_unit",
        input: { unit: expect.stringMatching(/^(celsius|fahrenheit)$/) },
      }),
    ]);
  });

  it("streamText with Output.object streams partial objects, then the whole one", async () => {
    const result = streamText({
      model: openai.chat("tiny"),
      prompt: "Give a verdict.",
      maxOutputTokens: 200,
      output: Output.object({ schema: verdictSchema }),
    });
    const partials: unknown[] = [];
    for await (const partial of result.partialOutputStream) partials.push(partial);
    const verdict = await result.output;
    expect(verdictSchema.parse(verdict)).toEqual(verdict);
    expect(partials.length).toBeGreaterThan(1);
    expect(partials.at(-1)).toEqual(verdict);
  });

  it("embedMany returns one unit-length vector per value", async () => {
    const { embeddings, usage } = await embedMany({
      model: openai.embedding("tiny"),
      values: ["one", "two"],
    });
    expect(embeddings).toHaveLength(2);
    for (const vector of embeddings) {
      expect(vector.length).toBeGreaterThan(0);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
    expect(embeddings[0]).not.toEqual(embeddings[1]);
    expect(usage.tokens).toBeGreaterThan(0);
  });
});

describe("the community Ollama provider (ollama-ai-provider-v2, Ollama's /api/chat and /api/embed)", () => {
  it("generateText returns the answer with its finish reason and usage", async () => {
    const result = await generateText({
      model: ollama("qwen2.5"),
      prompt: "Please answer @@plain",
      temperature: 0,
    });
    expect(result.text).toBe("Hello there");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBe(2);
  });

  it("a tool loop: the call is run and its result sent back and accepted in the next step", async () => {
    const calls: string[] = [];
    const result = await generateText({
      model: ollama("qwen2.5"),
      prompt: "Please answer @@call",
      temperature: 0,
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(2),
    });
    const [first, second] = result.steps;
    expect(first.finishReason).toBe("tool-calls");
    expect(calls[0]).toBe("Paris");
    // What the fixture answers to the follow-up is beside the point (it repeats its call).
    const body = second.request.body;
    const sent = (typeof body === "string" ? JSON.parse(body) : body) as {
      messages: { role: string; content: string }[];
    };
    expect(sent.messages).toContainEqual(
      expect.objectContaining({ role: "tool", content: JSON.stringify({ forecast: "sunny" }) }),
    );
    expect(second.finishReason).toBe("tool-calls");
  });

  it("reasoning comes back as the SDK's reasoning, apart from the text (think: true)", async () => {
    const result = await generateText({
      model: ollama("qwen3"),
      prompt: "Please answer @@think",
      temperature: 0,
      providerOptions: { ollama: { think: true } },
    });
    expect(result.reasoningText).toBe("Let me think");
    expect(result.text).toBe("Sunny today");
  });

  it("Output.object sends the schema as format, and the answer follows it", async () => {
    const { output } = await generateText({
      model: ollama("tiny"),
      prompt: "Give a verdict.",
      maxOutputTokens: 200,
      output: Output.object({ schema: verdictSchema }),
    });
    expect(verdictSchema.parse(output)).toEqual(output);
  });

  it("embedMany returns one unit-length vector per value", async () => {
    const { embeddings } = await embedMany({ model: ollama.embedding("tiny"), values: ["one", "two"] });
    expect(embeddings).toHaveLength(2);
    for (const vector of embeddings) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  });
});

describe("the AI SDK's OpenAI-compatible provider", () => {
  it("Output.object with supportsStructuredOutputs sends the schema, and the content follows it", async () => {
    // Without the flag the provider sends only `json_object` (and warns): any JSON, not the schema's.
    const structured = createOpenAICompatible({
      name: "inferql",
      baseURL: `${app.url}/v1`,
      supportsStructuredOutputs: true,
    });
    const { output, request } = await generateText({
      model: structured.chatModel("tiny"),
      prompt: "Give a verdict.",
      maxOutputTokens: 200,
      output: Output.object({ schema: verdictSchema }),
    });
    // This provider records the body as it sent it: JSON text.
    expect(JSON.parse(request.body as string)).toMatchObject({ response_format: { type: "json_schema" } });
    expect(verdictSchema.parse(output)).toEqual(output);
  });

  it("reasoning_content reaches the SDK as reasoning, apart from the answer", async () => {
    const result = streamText({
      model: compatible.chatModel("qwen3"),
      prompt: "Please answer @@think",
      temperature: 0,
    });
    expect(await result.text).toBe("Sunny today");
    expect(await result.reasoningText).toContain("Let me think");
    expect((await result.usage).outputTokenDetails.reasoningTokens).toBe(5);
  });
});

describe("the AI SDK's Anthropic provider (/v1/messages)", () => {
  it("generateText with the provider's default max_tokens (4,096: beyond the 2,048-token context)", async () => {
    const result = await generateText({
      model: anthropic("qwen2.5"),
      prompt: "Please answer @@plain",
      temperature: 0,
    });
    expect(result.request.body).toMatchObject({ max_tokens: 4096 });
    expect(result.text).toBe("Hello there");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.outputTokens).toBe(2);
  });

  it("a thinking model's reasoning comes back as reasoning, apart from the answer", async () => {
    const result = await generateText({
      model: anthropic("qwen3"),
      prompt: "Please answer @@think",
      temperature: 0,
    });
    expect(result.text).toBe("Sunny today");
    expect(result.reasoningText).toBe("Let me think");
  });

  it("extended thinking's request (a budget, max_tokens raised by it, no sampling settings) is served", async () => {
    // The SDK drops temperature and top_k when thinking is on (Anthropic's rule), so the answer is
    // sampled: only the request's acceptance and the answer's shape are the point here.
    const result = await generateText({
      model: anthropic("qwen3"),
      prompt: "Please answer @@think",
      providerOptions: { anthropic: { thinking: { type: "enabled", budgetTokens: 1024 } } },
    });
    expect(result.request.body).toMatchObject({
      max_tokens: 5120,
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(["stop", "length"]).toContain(result.finishReason);
    expect(result.response.id).toMatch(/^msg_/);
  });
});
