// POST /v1/chat/completions through the official openai client (and raw fetch where the client hides
// the wire): answers, streams, finish reasons, tools, structured output, extensions, disconnects.
import { Ajv } from "ajv";
import { APIUserAbortError, type OpenAI } from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import type { SchedulerEvent } from "../../src/inference/scheduler/scheduler.js";
import { eventually, openAiClient, readSseData } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

const hello = [{ role: "user" as const, content: "Say hello" }];

const weatherParameters = {
  type: "object",
  properties: {
    city: { type: "string", enum: ["paris", "tokyo", "lima"] },
    metric: { type: "boolean" },
  },
  required: ["city", "metric"],
  additionalProperties: false,
};
const timeParameters = {
  type: "object",
  properties: { zone: { type: "string", enum: ["utc", "local"] } },
  required: ["zone"],
  additionalProperties: false,
};
const tools: ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: weatherParameters } },
  { type: "function", function: { name: "get_time", parameters: timeParameters } },
];
const ajv = new Ajv();
const validates = (schema: object, json: string) => ajv.validate(schema, JSON.parse(json));

let app: RunningInferql;
let client: OpenAI;
const finished: (SchedulerEvent & { type: "finished" })[] = [];

beforeAll(async () => {
  // A large context lets an unbounded generation run for many seconds: disconnect tests need one.
  app = await startTestServer({ withStopsEarlyModel: true, flags: ["--ctx-size", "16384"] });
  client = openAiClient(app.url);
  app.scheduler.onEvent((event) => {
    if (event.type === "finished") finished.push(event);
  });
});

afterAll(async () => {
  await app?.close();
});

describe("chat completions", () => {
  it("answers with a chat.completion: unique id, model, fingerprint, usage and timings", async () => {
    const [first, second] = await Promise.all([
      client.chat.completions.create({ model: "tiny", messages: hello, max_tokens: 8 }),
      client.chat.completions.create({ model: "tiny", messages: hello, max_tokens: 8 }),
    ]);
    expect(first.object).toBe("chat.completion");
    expect(first.id).toMatch(/^chatcmpl-/);
    expect(first.id).not.toBe(second.id);
    expect(first.model).toBe("tiny");
    expect(first.created).toBeCloseTo(Date.now() / 1000, -2);
    expect(first.system_fingerprint).toMatch(/^inferql-[0-9a-f]+$/);
    expect(first.system_fingerprint).toBe(second.system_fingerprint);
    const [choice] = first.choices;
    expect(choice.message.role).toBe("assistant");
    expect(typeof choice.message.content).toBe("string");
    expect(choice.finish_reason).toBe("length");
    expect(first.usage?.completion_tokens).toBe(8);
    expect(first.usage?.total_tokens).toBe((first.usage?.prompt_tokens ?? 0) + 8);
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toEqual(expect.any(Number));
    const { timings } = first as typeof first & { timings: Record<string, number> };
    expect(timings).toMatchObject({ predicted_n: 8, prompt_ms: expect.any(Number) });
  });

  it("counts a max_completion_tokens limit as finish_reason length", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_completion_tokens: 5,
    });
    expect(completion.choices[0].finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it("reports reused prompt tokens as cached_tokens", async () => {
    const messages = [{ role: "user" as const, content: "A long enough prompt to share a prefix with" }];
    await client.chat.completions.create({ model: "tiny", messages, max_tokens: 2 });
    const again = await client.chat.completions.create({ model: "tiny", messages, max_tokens: 2 });
    expect(again.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
  });

  it("accepts every message role, text parts, and assistant tool calls with their results", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      max_tokens: 4,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: [{ type: "text", text: "Answer in one word." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "Weather " },
            { type: "text", text: "in Paris?" },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"paris","metric":true}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "21 degrees" },
      ],
      tools,
      tool_choice: "none",
      user: "someone",
    });
    expect(completion.choices[0].finish_reason).toBe("length");
  });
});

describe("finish reasons", () => {
  it("stops before a stop sequence, keeping the text before it", async () => {
    const params = {
      model: "tiny",
      messages: hello,
      max_tokens: 24,
      temperature: 0,
      cache_prompt: false,
    };
    const free = await client.chat.completions.create(params);
    const text = free.choices[0].message.content ?? "";
    const stop = text.slice(6, 9);
    expect(stop.length).toBe(3);
    const stopped = await client.chat.completions.create({ ...params, stop: [stop] });
    expect(stopped.choices[0].finish_reason).toBe("stop");
    expect(stopped.choices[0].message.content).toBe(text.slice(0, text.indexOf(stop)));
  });

  it("reports an end-of-generation token as finish_reason stop", async () => {
    const completion = await client.chat.completions.create({
      model: "stops-early",
      messages: hello,
      max_tokens: 32,
    });
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBeLessThan(32);
  });
});

describe("streaming", () => {
  it("streams the role first, then content deltas that add up to the whole answer, then the finish", async () => {
    const params = { model: "tiny", messages: hello, max_tokens: 16, temperature: 0, cache_prompt: false };
    const whole = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(whole.choices[0].message.content);
    const finishes = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishes.map((chunk) => chunk.choices[0].finish_reason)).toEqual(["length"]);
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ completion_tokens: 16, prompt_tokens: whole.usage?.prompt_tokens });
  });

  it("sends text/event-stream data lines, finishing with a usage chunk and [DONE]", async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "tiny",
        messages: hello,
        max_tokens: 6,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const data = await readSseData(response);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    const [finish, usage] = chunks.slice(-2);
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: "length" });
    expect(finish.timings).toMatchObject({ predicted_n: 6 });
    expect(usage).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
  });

  it("sends no usage chunk unless asked", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 4,
      stream: true,
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe("length");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });
});

describe("tools", () => {
  it("tool_choice required: calls whose arguments follow the parameters schema, finish_reason tool_calls", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "Weather in Lima?" }],
      max_tokens: 300,
      tools,
      tool_choice: "required",
      parallel_tool_calls: false,
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const [call] = choice.message.tool_calls!;
    expect(call.type).toBe("function");
    expect(call.id).toMatch(/^call_/);
    if (call.type !== "function") throw new Error("not a function call");
    const schema = call.function.name === "get_weather" ? weatherParameters : timeParameters;
    expect(["get_weather", "get_time"]).toContain(call.function.name);
    expect(validates(schema, call.function.arguments)).toBe(true);
  });

  it("a named tool_choice calls that tool", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "What time is it?" }],
      max_tokens: 300,
      tools,
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const calls = completion.choices[0].message.tool_calls ?? [];
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
    expect(calls).toHaveLength(1);
    const [call] = calls;
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.function.name).toBe("get_time");
    expect(validates(timeParameters, call.function.arguments)).toBe(true);
  });

  it("streams tool calls as deltas keyed by index: id, type and name first, then argument fragments", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "Weather in Tokyo?" }],
      max_tokens: 300,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
    });
    const deltas: NonNullable<ChatCompletionChunk["choices"][number]["delta"]["tool_calls"]> = [];
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(finishReason).toBe("tool_calls");
    const [head, ...fragments] = deltas;
    expect(head).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: "function" });
    expect(head.function?.name).toBe("get_weather");
    expect(fragments.length).toBeGreaterThan(1);
    for (const fragment of fragments) {
      expect(fragment).toMatchObject({ index: 0 });
      expect(fragment.id).toBeUndefined();
      expect(fragment.function?.name).toBeUndefined();
    }
    const args = deltas.map((delta) => delta.function?.arguments ?? "").join("");
    expect(validates(weatherParameters, args)).toBe(true);
  });
});

describe("structured output", () => {
  it("response_format json_schema: the content parses and follows the schema", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 200,
      response_format: {
        type: "json_schema",
        json_schema: { name: "weather", schema: weatherParameters, strict: true },
      },
    });
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(validates(weatherParameters, completion.choices[0].message.content ?? "")).toBe(true);
  });

  it("response_format json_object: the content is a JSON object", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 400,
      // Greedy: sampled strings in a random model can outrun any token limit.
      temperature: 0,
      response_format: { type: "json_object" },
    });
    expect(completion.choices[0].finish_reason).toBe("stop");
    const value: unknown = JSON.parse(completion.choices[0].message.content ?? "");
    expect(typeof value).toBe("object");
    expect(Array.isArray(value)).toBe(false);
  });

  it("the grammar extension (GBNF) constrains the output", async () => {
    const params: ChatCompletionCreateParamsNonStreaming & { grammar: string } = {
      model: "tiny",
      messages: hello,
      max_tokens: 32,
      grammar: 'root ::= ("yes" | "no") "!"',
    };
    const completion = await client.chat.completions.create(params);
    expect(completion.choices[0].message.content).toMatch(/^(yes|no)!$/);
    expect(completion.choices[0].finish_reason).toBe("stop");
  });
});

describe("logprobs and extensions", () => {
  it("returns logprobs with top alternatives per generated token", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 5,
      logprobs: true,
      top_logprobs: 2,
    });
    const content = completion.choices[0].logprobs?.content ?? [];
    expect(content).toHaveLength(5);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token)]);
      expect(entry.top_logprobs).toHaveLength(2);
    }
  });

  it("streams logprobs with each content delta", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 5,
      logprobs: true,
      stream: true,
    });
    let tokens = 0;
    for await (const chunk of stream) tokens += chunk.choices[0]?.logprobs?.content?.length ?? 0;
    expect(tokens).toBe(5);
  });

  it("accepts the llama-server sampling extensions and a LoRA adapter by name or with a scale", async () => {
    const params: ChatCompletionCreateParamsNonStreaming & Record<string, unknown> = {
      model: "tiny",
      messages: hello,
      max_tokens: 4,
      top_k: 20,
      min_p: 0.05,
      repeat_penalty: 1.1,
      cache_prompt: false,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { "300": -100 },
      lora: "style",
    };
    const named = await client.chat.completions.create(params);
    expect(named.choices[0].finish_reason).toBe("length");
    const withScale: typeof params = { ...params, lora: [{ name: "style", scale: 0.5 }] };
    const scaled = await client.chat.completions.create(withScale);
    expect(scaled.choices[0].finish_reason).toBe("length");
  });

  it("samples afresh without a seed: the same prompt sent twice at once gets two answers (and a seed repeats one)", async () => {
    const params = { model: "tiny", messages: hello, max_tokens: 12, temperature: 1, cache_prompt: false };
    const unseeded = await Promise.all([
      client.chat.completions.create(params),
      client.chat.completions.create(params),
    ]);
    const [first, second] = unseeded.map((completion) => completion.choices[0].message.content);
    expect(first).not.toBe(second);
    const seeded = await Promise.all([
      client.chat.completions.create({ ...params, seed: 11 }),
      client.chat.completions.create({ ...params, seed: 11 }),
    ]);
    expect(seeded[0].choices[0].message.content).toBe(seeded[1].choices[0].message.content);
  });

  it("penalizes tokens the answer repeats: the greedy answer repeats one token, each penalty breaks that", async () => {
    const params = {
      model: "tiny",
      messages: hello,
      max_tokens: 12,
      temperature: 0,
      cache_prompt: false,
      logprobs: true,
    };
    const tokensOf = async (fields: Record<string, number>) =>
      (await client.chat.completions.create({ ...params, ...fields })).choices[0].logprobs?.content?.map(
        (entry) => entry.token,
      ) ?? [];
    const unpenalized = await tokensOf({});
    expect(new Set(unpenalized).size).toBe(1);
    const penalties: Record<string, number>[] = [
      { repeat_penalty: 3 },
      { frequency_penalty: 2 },
      { presence_penalty: 2 },
    ];
    for (const penalty of penalties)
      expect(new Set(await tokensOf(penalty)).size, JSON.stringify(penalty)).toBeGreaterThan(1);
  });

  it("samples with llama-server's defaults: top_k 40, top_p 0.95 and min_p 0.05 when the request has none", async () => {
    // One token made ~150 times likelier than any other: min_p 0.05 leaves only it, whatever the temperature.
    const params = {
      model: "tiny",
      messages: hello,
      max_tokens: 24,
      temperature: 2,
      seed: 5,
      cache_prompt: false,
      logit_bias: { "300": 5 },
    };
    const answer = async (fields: Record<string, number>) =>
      (await client.chat.completions.create({ ...params, ...fields })).choices[0].message.content;
    const byDefault = await answer({});
    expect(await answer({ top_k: 40, top_p: 0.95, min_p: 0.05 })).toBe(byDefault);
    expect(await answer({ min_p: 0 })).not.toBe(byDefault);
  });
});

describe("client disconnects", () => {
  const lastFinish = (id: string) => finished.find((event) => event.id === id);

  it("aborting a stream mid-generation cancels it and frees its slot", async () => {
    const controller = new AbortController();
    const params: ChatCompletionCreateParamsStreaming = { model: "tiny", messages: hello, stream: true };
    const stream = await client.chat.completions.create(params, { signal: controller.signal });
    let id = "";
    let received = 0;
    try {
      for await (const chunk of stream) {
        id = chunk.id;
        if (++received === 5) {
          expect(app.scheduler.state().busySlots).toBe(1);
          controller.abort();
        }
      }
    } catch (error) {
      expect(error).toBeInstanceOf(APIUserAbortError);
    }
    expect(received).toBeLessThan(100);
    await eventually(() => app.scheduler.state().busySlots === 0, 3000);
    await eventually(() => lastFinish(id) !== undefined, 3000);
    expect(lastFinish(id)?.reason).toBe("cancelled");
  });

  it("aborting a non-streaming request cancels it and frees its slot", async () => {
    const controller = new AbortController();
    const seen = finished.length;
    const request = client.chat.completions.create(
      { model: "tiny", messages: hello },
      { signal: controller.signal },
    );
    await eventually(() => app.scheduler.state().busySlots === 1, 3000);
    controller.abort();
    await expect(request).rejects.toBeInstanceOf(APIUserAbortError);
    await eventually(() => app.scheduler.state().busySlots === 0, 3000);
    await eventually(() => finished.length > seen, 3000);
    expect(finished.at(-1)?.reason).toBe("cancelled");
  });
});
