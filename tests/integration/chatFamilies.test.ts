// Real chat families through every transport: scripted fixtures that carry Qwen2.5, Qwen3, Llama 3.1,
// Mistral Nemo, gpt-oss and DeepSeek-R1 templates and special tokens, and answer in each family's
// native syntax. Tool calls, reasoning and plain answers come back structured, streamed and not.
import { Ajv } from "ajv";
import type { OpenAI } from "openai";
import { zodFunction } from "openai/helpers/zod";
import type { ChatCompletionChunk, ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient, type InferqlClient } from "../../src/client/index.js";
import { type ChatFamily, FORCED_CALL_TOOLS, familyFixturePath } from "../support/familyFixtures.js";
import { collect, graphqlWsClient, postGraphql } from "../support/graphqlClients.js";
import { openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

const FAMILIES: ChatFamily[] = ["qwen2.5", "qwen3", "llama3.1", "mistral-nemo", "gpt-oss", "deepseek-r1"];

// The scripted answers' argument values ("Paris", "UTC") must not occur in prompts (they steer the
// scripts): these tools leave them out; `FORCED_CALL_TOOLS` spell them, for forced calls only.
const tools: ChatCompletionFunctionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
  {
    type: "function",
    function: {
      name: "get_time",
      description: "The time in a zone",
      parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
    },
  },
];
const ask = (selector: string) => [{ role: "user" as const, content: `Please answer ${selector}` }];
const ajv = new Ajv({ strict: false });

let app: RunningInferql;
let openai: OpenAI;
let trpc: InferqlClient;

beforeAll(async () => {
  app = await startTestServer({
    flags: FAMILIES.flatMap((family) => ["--model", `${family}=${familyFixturePath(family)}`]),
  });
  openai = openAiClient(app.url);
  trpc = createInferqlClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

/** A streamed chat completion, assembled the way OpenAI clients assemble it. */
async function streamed(body: Parameters<OpenAI["chat"]["completions"]["create"]>[0]) {
  const stream = await openai.chat.completions.create({ ...body, stream: true });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  for (const call of deltas.flatMap((delta) => delta.tool_calls ?? [])) {
    const entry = calls.get(call.index) ?? { arguments: "" };
    entry.id ??= call.id;
    entry.name ??= call.function?.name;
    entry.arguments += call.function?.arguments ?? "";
    calls.set(call.index, entry);
  }
  return {
    contentDeltas: deltas.map((delta) => delta.content ?? "").filter((content) => content !== ""),
    content: deltas.map((delta) => delta.content ?? "").join(""),
    reasoning: deltas
      .map((delta) => (delta as { reasoning_content?: string }).reasoning_content ?? "")
      .join(""),
    toolCalls: [...calls.values()],
    finishReason: chunks.flatMap((chunk) => chunk.choices).find((choice) => choice.finish_reason)
      ?.finish_reason,
  };
}

describe("native tool calls (tool_choice auto)", () => {
  const callingFamilies: [ChatFamily, string][] = [
    ["qwen2.5", "@@call"],
    ["llama3.1", "@@call"],
    ["mistral-nemo", "@@callnoid"],
    ["mistral-nemo", "@@call"],
    ["gpt-oss", "@@call"],
  ];

  it.each(callingFamilies)("%s answers %s with a structured call, not text", async (family, selector) => {
    const completion = await openai.chat.completions.create({
      model: family,
      messages: ask(selector),
      tools,
      temperature: 0,
      max_tokens: 40,
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0] as {
      id: string;
      function: { name: string; arguments: string };
    };
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
  });

  it.each(callingFamilies)("%s streams %s as tool-call deltas", async (family, selector) => {
    const result = await streamed({
      model: family,
      messages: ask(selector),
      tools,
      temperature: 0,
      max_tokens: 40,
    });
    expect(result.finishReason).toBe("tool_calls");
    expect(result.content).toBe("");
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0].name).toBe("get_weather");
    expect(result.toolCalls[0].id).toMatch(/^call_/);
    expect(JSON.parse(result.toolCalls[0].arguments)).toEqual({ city: "Paris" });
  });

  it("text before a call streams as content, the call as a call", async () => {
    const result = await streamed({ model: "qwen2.5", messages: ask("@@textcall"), tools, temperature: 0 });
    expect(result.content).toBe("Let me check.");
    expect(result.toolCalls.map((call) => call.name)).toEqual(["get_weather"]);
    expect(result.finishReason).toBe("tool_calls");
  });

  it("parallel calls come back as separate calls, in order", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen2.5",
      messages: ask("@@two"),
      tools,
      temperature: 0,
    });
    const calls = completion.choices[0].message.tool_calls as {
      function: { name: string; arguments: string };
    }[];
    expect(calls.map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "UTC" }],
    ]);
  });

  it("parallel_tool_calls: false holds the model to one call", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen2.5",
      messages: ask("@@two"),
      tools,
      temperature: 0,
      parallel_tool_calls: false,
    });
    const calls = completion.choices[0].message.tool_calls as { function: { name: string } }[];
    expect(calls.map((call) => call.function.name)).toEqual(["get_weather"]);
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
  });

  it("an answer that starts with '[' is an answer, streamed as it comes", async () => {
    const result = await streamed({ model: "qwen2.5", messages: ask("@@bracket"), tools, temperature: 0 });
    expect(result.content).toBe("[1, 2] are numbers");
    expect(result.contentDeltas[0].startsWith("[")).toBe(true);
    expect(result.contentDeltas.length).toBeGreaterThan(1);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe("stop");
  });

  it("a call cut off by max_tokens is not a call: finish_reason length with the complete calls only", async () => {
    // @@two is a 10-token call, "\n", then a second call: 14 tokens end inside the second one.
    const body = { model: "qwen2.5", messages: ask("@@two"), tools, temperature: 0, max_tokens: 14 };
    const completion = await openai.chat.completions.create(body);
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("length");
    const calls = choice.message.tool_calls as {
      id: string;
      function: { name: string; arguments: string };
    }[];
    expect(calls.map((call) => call.function.name)).toEqual(["get_weather"]);
    expect(calls[0].id).toMatch(/^call_/);

    const result = await streamed(body);
    expect(result.finishReason).toBe("length");
    expect(result.toolCalls.filter((call) => call.name === "get_weather")).toHaveLength(1);
  });
});

describe("forced calls (tool_choice required or named) use the family's own syntax", () => {
  it("required: a plain-answer prompt still comes back as a call whose arguments follow the schema", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen2.5",
      messages: ask("@@plain"),
      tools: FORCED_CALL_TOOLS,
      tool_choice: "required",
      temperature: 0,
      max_tokens: 300,
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("tool_calls");
    const calls = choice.message.tool_calls as { function: { name: string; arguments: string } }[];
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const tool = FORCED_CALL_TOOLS.find((candidate) => candidate.function.name === call.function.name);
      expect(tool).toBeDefined();
      expect(ajv.validate(tool!.function.parameters!, JSON.parse(call.function.arguments))).toBe(true);
    }
  });

  it("required on a thinking model: it may reason first, then must call", async () => {
    const result = await streamed({
      model: "qwen3",
      messages: ask("@@thinkcall"),
      tools: FORCED_CALL_TOOLS,
      tool_choice: "required",
      temperature: 0,
      max_tokens: 300,
    });
    expect(result.reasoning).toBe("Checking");
    expect(result.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
    ]);
    expect(result.finishReason).toBe("tool_calls");
  });

  it("required on a thinking model that would end its turn while reasoning: it cannot, and past its budget it calls", async () => {
    // The turn's end is banned until a call is made. node-llama-cpp drops a ban on an end-of-generation
    // token such as <|im_end|> (TokenBias.set skips them), so without inferql's own bias the answer
    // ended here with no call.
    const completion = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@thinkstop"),
      tools: FORCED_CALL_TOOLS,
      tool_choice: "required",
      temperature: 0,
      max_tokens: 300,
      thinking_budget_tokens: 4,
    } as Parameters<OpenAI["chat"]["completions"]["create"]>[0] & { stream?: false });
    const message = completion.choices[0].message as { tool_calls?: { function: { name: string } }[] };
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
    expect(message.tool_calls?.length).toBeGreaterThan(0);
  });

  it("required on a thinking model that would answer in text: after its reasoning it must call", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@think"),
      tools: FORCED_CALL_TOOLS,
      tool_choice: "required",
      temperature: 0,
      max_tokens: 300,
    });
    const message = completion.choices[0].message as {
      content: string | null;
      reasoning_content?: string;
      tool_calls?: { function: { name: string } }[];
    };
    expect(message.reasoning_content).toBe("Let me think");
    expect(message.content).toBeNull();
    expect(message.tool_calls?.length).toBeGreaterThan(0);
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
  });

  it("named: the model calls that tool, once", async () => {
    const completion = await openai.chat.completions.create({
      model: "llama3.1",
      messages: ask("@@plain"),
      tools: FORCED_CALL_TOOLS,
      tool_choice: { type: "function", function: { name: "get_time" } },
      temperature: 0,
      max_tokens: 300,
    });
    const calls = completion.choices[0].message.tool_calls as {
      function: { name: string; arguments: string };
    }[];
    expect(calls.map((call) => call.function.name)).toEqual(["get_time"]);
    expect(["UTC", "CET"]).toContain(JSON.parse(calls[0].function.arguments).zone);
  });

  it("the openai package's zodFunction tool (strict): chat.completions.parse parses the call's arguments", async () => {
    const completion = await openai.chat.completions.parse({
      model: "qwen2.5",
      messages: ask("@@call"),
      tools: [zodFunction({ name: "get_weather", parameters: z.object({ city: z.string() }) })],
      temperature: 0,
    });
    const [call] = completion.choices[0].message.tool_calls ?? [];
    expect(call.type === "function" && call.function.parsed_arguments).toEqual({ city: "Paris" });
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
  });

  it("LangChain's tool schema ($schema 2020-12, anyOf with null, optional fields) is accepted and followed", async () => {
    const parameters = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        city: { type: "string", enum: ["Paris", "Tokyo"] },
        days: { anyOf: [{ type: "integer", minimum: 1, maximum: 7 }, { type: "null" }] },
        unit: { type: "string", enum: ["C", "F"] },
      },
      required: ["city", "days"],
      additionalProperties: false,
    };
    const completion = await openai.chat.completions.create({
      model: "qwen2.5",
      messages: ask("@@plain"),
      tools: [{ type: "function", function: { name: "forecast", description: "A forecast", parameters } }],
      tool_choice: "required",
      temperature: 0,
      max_tokens: 1000,
    });
    const calls = completion.choices[0].message.tool_calls as {
      function: { name: string; arguments: string };
    }[];
    expect(calls[0].function.name).toBe("forecast");
    const { $schema: _ignored, ...schema } = parameters;
    expect(ajv.validate(schema, JSON.parse(calls[0].function.arguments))).toBe(true);
  });
});

describe("logprobs on the families' own tokenizers", () => {
  it("the answer's logprob tokens add up to its content, spaces and special tokens included", async () => {
    // (Without tools, llama3.1's and mistral-nemo's scripts answer with their call syntax as text.)
    for (const model of ["qwen2.5", "llama3.1", "mistral-nemo"]) {
      const completion = await openai.chat.completions.create({
        model,
        messages: ask("@@bracket"),
        temperature: 0,
        logprobs: true,
        top_logprobs: 1,
      });
      const choice = completion.choices[0];
      expect(choice.message.content, model).toMatch(/ /);
      const tokens = choice.logprobs?.content?.map((logprob) => logprob.token) ?? [];
      expect(tokens.length, model).toBeGreaterThan(1);
      expect(tokens.join(""), model).toBe(choice.message.content);
    }
  });
});

describe("ignore_eos on the families' own end tokens", () => {
  it("gpt-oss: the message end between its channels stays, only the answer's end is banned", async () => {
    // <|end|> closes the analysis message and <|return|> the answer: llama.cpp counts both as EOG.
    // With ignore_eos the answer cannot end, but the analysis still hands over to the final channel.
    const completion = await openai.chat.completions.create({
      model: "gpt-oss",
      messages: ask("@@think"),
      temperature: 0,
      max_tokens: 24,
      ignore_eos: true,
    } as Parameters<OpenAI["chat"]["completions"]["create"]>[0] & { stream?: false });
    const message = completion.choices[0].message as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBe("Thinking hard");
    expect(message.content).toMatch(/^Sunny./s);
    expect(completion.choices[0].finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(24);
  });
});

describe("reasoning", () => {
  // The last column counts the tokens inside the reasoning, its markers left out (as vLLM counts
  // them): qwen3's "\n", "Let", " me", " think", "\n"; gpt-oss's analysis "Thinking", " hard";
  // deepseek-r1's "Hmm", "\n" after the <think> its prompt opened.
  const reasoningFamilies: [ChatFamily, string, string, object, number][] = [
    ["qwen3", "Let me think", "Sunny today", {}, 5],
    ["gpt-oss", "Thinking hard", "Sunny", {}, 2],
    ["deepseek-r1", "Hmm", "Sunny", { chat_template_kwargs: { enable_thinking: true } }, 2],
  ];

  it.each(reasoningFamilies)(
    "%s: reasoning_content apart from content, and its tokens counted in the usage",
    async (family, reasoning, content, extra, reasoningTokens) => {
      const completion = await openai.chat.completions.create({
        model: family,
        messages: ask("@@think"),
        temperature: 0,
        max_tokens: 40,
        ...extra,
      });
      const message = completion.choices[0].message as { content: string; reasoning_content?: string };
      expect(message.reasoning_content).toBe(reasoning);
      expect(message.content).toBe(content);
      expect(completion.choices[0].finish_reason).toBe("stop");
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(reasoningTokens);
      expect(completion.usage?.completion_tokens).toBeGreaterThan(reasoningTokens);
    },
  );

  it.each(reasoningFamilies)(
    "%s: streams delta.reasoning_content, then content",
    async (family, reasoning, content, extra) => {
      const result = await streamed({
        model: family,
        messages: ask("@@think"),
        temperature: 0,
        max_tokens: 40,
        ...extra,
      });
      expect(result.reasoning).toBe(reasoning);
      expect(result.content).toBe(content);
    },
  );

  it("n = 2 on a thinking model: each choice reasons and answers, and usage totals both", async () => {
    const single = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@think"),
      temperature: 0,
      max_tokens: 40,
    });
    const both = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@think"),
      temperature: 0,
      max_tokens: 40,
      n: 2,
    });
    expect(both.choices.map((choice) => choice.index)).toEqual([0, 1]);
    for (const choice of both.choices) {
      const message = choice.message as { content: string; reasoning_content?: string };
      expect([message.reasoning_content, message.content, choice.finish_reason]).toEqual([
        "Let me think",
        "Sunny today",
        "stop",
      ]);
    }
    // One prompt, counted once; both choices' completions added up, their reasoning too.
    expect(both.usage?.completion_tokens_details?.reasoning_tokens).toBe(
      2 * (single.usage?.completion_tokens_details?.reasoning_tokens ?? 0),
    );
    expect(both.usage?.prompt_tokens).toBe(single.usage?.prompt_tokens);
    expect(both.usage?.completion_tokens).toBe(2 * (single.usage?.completion_tokens ?? 0));
    expect(both.usage?.total_tokens).toBe(
      (single.usage?.prompt_tokens ?? 0) + 2 * (single.usage?.completion_tokens ?? 0),
    );
  });

  it("reasoning then a call: both structured", async () => {
    const result = await streamed({ model: "qwen3", messages: ask("@@thinkcall"), tools, temperature: 0 });
    expect(result.reasoning).toBe("Checking");
    expect(result.content).toBe("");
    expect(result.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
    ]);
    expect(result.finishReason).toBe("tool_calls");
  });

  it("reasoning_format none leaves the reasoning inline", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@think"),
      temperature: 0,
      reasoning_format: "none",
    } as Parameters<OpenAI["chat"]["completions"]["create"]>[0] & { stream?: false });
    const message = completion.choices[0].message as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBeUndefined();
    expect(message.content).toBe("<think>\nLet me think\n</think>\n\nSunny today");
    // Not read as reasoning, so not counted as reasoning.
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
  });

  it("a thinking budget makes the model close its reasoning early and answer", async () => {
    const completion = await openai.chat.completions.create({
      model: "qwen3",
      messages: ask("@@think"),
      temperature: 0,
      thinking_budget_tokens: 2,
    } as Parameters<OpenAI["chat"]["completions"]["create"]>[0] & { stream?: false });
    const message = completion.choices[0].message as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBe("Let");
    expect(message.content).toBe("Sunny today");
  });
});

it("a budget of 0 closes reasoning the prompt opened before it starts", async () => {
  const completion = await openai.chat.completions.create({
    model: "deepseek-r1",
    messages: ask("@@think"),
    temperature: 0,
    chat_template_kwargs: { enable_thinking: true },
    thinking_budget_tokens: 0,
  } as Parameters<OpenAI["chat"]["completions"]["create"]>[0] & { stream?: false });
  const message = completion.choices[0].message as { content: string; reasoning_content?: string };
  expect(message.reasoning_content).toBeUndefined();
  expect(message.content).toBe("Sunny");
});

describe("response_format json_object on the family's own template", () => {
  // The grammar is inferql's own (the JSON schema {"type": "object"}), not node-llama-cpp's grammar
  // file, which an engine restored from inferql's cache does not have. The scripted weights, held to
  // JSON, wander in whitespace and strings: a bias towards '"' and "}" lets the object close within
  // the budget.
  it.each(["qwen2.5", "llama3.1", "mistral-nemo"] as const)(
    "%s: the content is a JSON object that parses",
    async (family) => {
      const closing = await Promise.all(
        ['"', "}"].map((text) => trpc.tokenizer.tokenize.query({ model: family, text })),
      );
      const completion = await openai.chat.completions.create({
        model: family,
        messages: [{ role: "user", content: "Is it ok?" }],
        temperature: 0,
        max_tokens: 60,
        logit_bias: Object.fromEntries(
          closing.flatMap(({ tokens }) => tokens.map((token) => [String(token.id), 20])),
        ),
        response_format: { type: "json_object" },
      });
      expect(completion.choices[0].finish_reason).toBe("stop");
      const parsed = JSON.parse(completion.choices[0].message.content ?? "") as unknown;
      expect(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)).toBe(true);
    },
  );
});

describe("GraphQL and tRPC carry the same structure", () => {
  const chatSubscription = `subscription($input: ChatCompletionInput!) {
    chatCompletion(input: $input) {
      __typename
      ... on ReasoningDelta { reasoning }
      ... on ContentDelta { content }
      ... on ToolCallDelta { index callId name argumentsDelta }
      ... on GenerationFinished { finishReason fullContent fullReasoning toolCalls { id name arguments } }
    }
  }`;
  const graphqlTools = tools.map(({ function: { name, description, parameters } }) => ({
    function: { name, description, parameters },
  }));

  it("graphql-ws streams ReasoningDelta and ToolCallDelta events and a finished event with both", async () => {
    const client = graphqlWsClient(app.url);
    try {
      const results = await collect(
        client.iterate<{ chatCompletion: Record<string, unknown> }>({
          query: chatSubscription,
          variables: {
            input: {
              model: "qwen3",
              messages: [{ role: "USER", content: "Answer @@thinkcall" }],
              tools: graphqlTools,
              temperature: 0,
            },
          },
        }),
      );
      const events = results.map((result) => result.data!.chatCompletion);
      const types = events.map((event) => event.__typename);
      expect(types.indexOf("ReasoningDelta")).toBeLessThan(types.indexOf("ToolCallDelta"));
      expect(
        events
          .filter((event) => event.__typename === "ReasoningDelta")
          .map((event) => event.reasoning)
          .join(""),
      ).toBe("Checking");
      const firstCall = events.find((event) => event.__typename === "ToolCallDelta")!;
      expect(firstCall).toMatchObject({ index: 0, name: "get_weather" });
      const finished = events.at(-1)!;
      expect(finished).toMatchObject({
        __typename: "GenerationFinished",
        finishReason: "TOOL_CALLS",
        fullReasoning: "Checking",
        fullContent: null,
      });
      expect(finished.toolCalls).toEqual([
        { id: firstCall.callId, name: "get_weather", arguments: '{"city": "Paris"}' },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("a GraphQL mutation on gpt-oss returns reasoning and answer, and counts the reasoning's tokens", async () => {
    const result = await postGraphql<
      { createChatCompletion: Record<string, unknown> },
      Record<string, unknown>
    >(
      app.url,
      `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { content reasoning finishReason toolCalls { name } usage { reasoningTokens } } }`,
      {
        input: { model: "gpt-oss", messages: [{ role: "USER", content: "Answer @@think" }], temperature: 0 },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createChatCompletion).toEqual({
      content: "Sunny",
      reasoning: "Thinking hard",
      finishReason: "STOP",
      toolCalls: [],
      usage: { reasoningTokens: 2 },
    });
  });

  it("a cut call over GraphQL: LENGTH with the complete calls, never a call without an id", async () => {
    const result = await postGraphql<
      { createChatCompletion: Record<string, unknown> },
      Record<string, unknown>
    >(
      app.url,
      `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { finishReason toolCalls { id name arguments } } }`,
      {
        input: {
          model: "qwen2.5",
          messages: [{ role: "USER", content: "Answer @@two" }],
          tools: graphqlTools,
          toolChoice: { mode: "REQUIRED" },
          temperature: 0,
          maxTokens: 14,
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const completion = result.data!.createChatCompletion as {
      finishReason: string;
      toolCalls: { id: string; name: string }[];
    };
    expect(completion.finishReason).toBe("LENGTH");
    for (const call of completion.toolCalls) {
      expect(call.id).toMatch(/^call_/);
      expect(call.name).not.toBe("");
    }
  });

  it("tRPC chat.create and chat.stream return calls and reasoning", async () => {
    const created = await trpc.chat.create.mutate({
      model: "mistral-nemo",
      messages: ask("@@callnoid"),
      tools,
      temperature: 0,
    });
    expect(created.finishReason).toBe("tool_calls");
    expect(created.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
    ]);

    const events: ({ type: string } | { type: string; reasoning: string })[] = [];
    await new Promise<void>((resolve, reject) => {
      trpc.chat.stream.subscribe(
        { model: "qwen3", messages: ask("@@think"), temperature: 0 },
        { onData: (event) => events.push(event), onComplete: resolve, onError: reject },
      );
    });
    const reasoning = events.flatMap((event) =>
      "reasoning" in event && event.type === "reasoningDelta" ? [event.reasoning] : [],
    );
    expect(reasoning.join("")).toBe("Let me think");
    expect(events.at(-1)).toMatchObject({
      type: "finished",
      reasoning: "Let me think",
      content: "Sunny today",
      usage: { reasoningTokens: 5 },
    });
  });
});
