// POST /v1/responses (OpenAI's Responses API) through the official openai client, on the scripted
// Qwen fixtures: answers, streamed events, function calls continued with previous_response_id,
// reasoning items, limits, stored responses per API key, input token counts and errors.
import { APIUserAbortError, BadRequestError, NotFoundError, type OpenAI } from "openai";
import type { FunctionTool, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import type { WireResponse } from "../../src/compat/openai/responses/protocol.js";
import { ResponseStore } from "../../src/compat/openai/responses/responseStore.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { eventually, openAiClient } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

// The scripted answers' argument values must not occur in prompts: this tool leaves them out.
const tools: FunctionTool[] = [
  {
    type: "function",
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    strict: false,
  },
];

// The scripts answer at temperature 0; the bound keeps a script gone astray short.
const qwen25 = { model: "qwen2.5", temperature: 0, max_output_tokens: 40 };
const qwen3 = { model: "qwen3", temperature: 0, max_output_tokens: 40 };

const KEY_A = "key-a-responses-test";
const KEY_B = "key-b-responses-test";

let app: RunningInferql;
let client: OpenAI;
let otherClient: OpenAI;
const finishReasons: string[] = [];

beforeAll(async () => {
  app = await startTestServer({
    flags: [
      "--model",
      `qwen2.5=${familyFixturePath("qwen2.5")}`,
      "--model",
      `qwen3=${familyFixturePath("qwen3")}`,
      "--api-key",
      KEY_A,
      "--api-key",
      KEY_B,
      // A large context lets the tiny model's unbounded generation run long enough to disconnect from.
      "--ctx-size",
      "16384",
    ],
  });
  app.scheduler.onEvent((event) => {
    if (event.type === "finished") finishReasons.push(event.reason);
  });
  client = openAiClient(app.url, KEY_A);
  otherClient = openAiClient(app.url, KEY_B);
});

afterAll(async () => {
  await app?.close();
});

describe("responses", () => {
  it("answers a string input with a completed response whose output_text is the answer", async () => {
    const response = await client.responses.create({ ...qwen25, input: "Please answer @@plain" });
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      ...qwen25,
      error: null,
      incomplete_details: null,
      store: true,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe("Hello there");
    expect(response.output).toEqual([
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Hello there", annotations: [], logprobs: [] }],
      },
    ]);
    const usage = response.usage;
    expect(usage?.output_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0));
    expect(usage?.input_tokens_details.cached_tokens).toEqual(expect.any(Number));
    // A model that did not reason.
    expect(usage?.output_tokens_details.reasoning_tokens).toBe(0);
  });

  it("streams the response's events in order, numbered, ending response.completed with the text", async () => {
    const stream = client.responses.stream({ ...qwen25, input: "Please answer @@plain" });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    const types = events.map((event) => event.type).filter((type) => type !== "response.output_text.delta");
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const deltas = events.flatMap((event) =>
      event.type === "response.output_text.delta" ? [event.delta] : [],
    );
    expect(deltas.join("")).toBe("Hello there");
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe("Hello there");
  });

  it("names each server-sent event with an event: line", async () => {
    const reply = await fetch(`${app.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY_A}` },
      body: JSON.stringify({ ...qwen25, input: "Please answer @@plain", stream: true }),
    });
    expect(reply.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const messages = (await reply.text()).split("\n\n").filter((message) => message.trim() !== "");
    for (const message of messages) {
      const [eventLine, dataLine] = message.split("\n");
      const data = JSON.parse(dataLine.slice("data: ".length)) as { type: string };
      expect(eventLine).toBe(`event: ${data.type}`);
    }
    expect(messages.at(-1)).toMatch(/^event: response.completed\n/);
  });

  it("returns a function call, and continues the conversation with its output via previous_response_id", async () => {
    const first = await client.responses.create({ ...qwen25, input: "Weather? @@call", tools });
    expect(first.status).toBe("completed");
    const [call] = first.output;
    expect(call).toEqual({
      type: "function_call",
      id: expect.stringMatching(/^fc_/),
      status: "completed",
      call_id: expect.any(String),
      name: "get_weather",
      arguments: '{"city": "Paris"}',
    });
    if (call.type !== "function_call") throw new Error("expected a function call");
    const followUp = {
      ...qwen25,
      max_output_tokens: 400,
      previous_response_id: first.id,
      input: [
        { type: "function_call_output" as const, call_id: call.call_id, output: "Sunny and 21 degrees" },
      ],
      tools,
    };
    const second = await client.responses.create(followUp);
    expect(second.status).toBe("completed");
    expect(second.previous_response_id).toBe(first.id);
    // Its prompt is the first turn's, the call and its output: longer, and counted the same way.
    const { input_tokens } = await client.responses.inputTokens.count(followUp);
    expect(second.usage?.input_tokens).toBe(input_tokens);
    expect(input_tokens).toBeGreaterThan(
      (first.usage?.input_tokens ?? 0) + (first.usage?.output_tokens ?? 0),
    );
    // The earlier turns are the slot's cached prefix.
    expect(second.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });

  it("streams a function call's arguments", async () => {
    const stream = client.responses.stream({ ...qwen25, input: "Weather? @@call", tools });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const added = events.find((event) => event.type === "response.output_item.added");
    expect(added?.type === "response.output_item.added" && added.item.type).toBe("function_call");
    const deltas = events.flatMap((event) =>
      event.type === "response.function_call_arguments.delta" ? [event.delta] : [],
    );
    expect(deltas.join("")).toBe('{"city": "Paris"}');
    const done = events.find((event) => event.type === "response.function_call_arguments.done");
    expect(done).toMatchObject({ name: "get_weather", arguments: '{"city": "Paris"}' });
    expect(events.at(-1)?.type).toBe("response.completed");
  });

  it("accepts the earlier turns as items: messages, the call and its output", async () => {
    const response = await client.responses.create({
      ...qwen25,
      instructions: "Be brief.",
      input: [
        { role: "user", content: [{ type: "input_text", text: "Weather? @@call" }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: "{}" },
        { type: "function_call_output", call_id: "call_1", output: "Sunny" },
      ],
      tools,
    });
    expect(response.status).toBe("completed");
    expect(response.instructions).toBe("Be brief.");
  });

  it("reports a thinking model's reasoning as a reasoning item before the message, its tokens counted", async () => {
    const response = await client.responses.create({ ...qwen3, input: "Please answer @@think" });
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    const [reasoning] = response.output;
    expect(reasoning.type === "reasoning" && reasoning.content).toEqual([
      { type: "reasoning_text", text: "Let me think" },
    ]);
    expect(response.output_text).toBe("Sunny today");
    // "\n", "Let", " me", " think", "\n": inside <think> and </think>, which are not counted.
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(5);

    const stream = client.responses.stream({ ...qwen3, input: "Please answer @@think" });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const reasoningDeltas = events.flatMap((event) =>
      event.type === "response.reasoning_text.delta" ? [event.delta] : [],
    );
    expect(reasoningDeltas.join("")).toBe("Let me think");
    expect(events.find((event) => event.type === "response.reasoning_text.done")).toMatchObject({
      text: "Let me think",
    });
    expect(events.at(-1)).toMatchObject({
      type: "response.completed",
      response: { usage: { output_tokens_details: { reasoning_tokens: 5 } } },
    });
  });

  it("include message.output_text.logprobs: each answer token's logprob and top_logprobs, streamed and not", async () => {
    const request = {
      ...qwen25,
      input: "Please answer @@plain",
      include: ["message.output_text.logprobs" as const],
      top_logprobs: 2,
    };
    const response = await client.responses.create(request);
    const [message] = response.output;
    const part = message.type === "message" ? message.content[0] : undefined;
    const logprobs = part?.type === "output_text" ? (part.logprobs ?? []) : [];
    expect(logprobs.map((logprob) => logprob.token)).toEqual(["Hello", " there"]);
    for (const logprob of logprobs) {
      expect(logprob.logprob).toBeLessThanOrEqual(0);
      expect(logprob.bytes).toEqual([...Buffer.from(logprob.token)]);
      expect(logprob.top_logprobs).toHaveLength(2);
      expect(logprob.top_logprobs[0].token).toBe(logprob.token);
    }

    const events: ResponseStreamEvent[] = [];
    for await (const event of client.responses.stream(request)) events.push(event);
    const streamed = events.flatMap((event) =>
      event.type === "response.output_text.delta" ? event.logprobs : [],
    );
    expect(streamed).toEqual(logprobs);
    expect(events.find((event) => event.type === "response.output_text.done")).toMatchObject({ logprobs });

    // Not asked for: none.
    const plain = await client.responses.create({
      ...qwen25,
      input: "Please answer @@plain",
      top_logprobs: 2,
    });
    expect(plain.output[0].type === "message" && plain.output[0].content[0]).toMatchObject({ logprobs: [] });
  });

  it("is incomplete when max_output_tokens cuts the answer off", async () => {
    const response = await client.responses.create({
      ...qwen25,
      input: "Please answer @@plain",
      max_output_tokens: 1,
    });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(response.usage?.output_tokens).toBe(1);

    const stream = await client.responses.create({
      ...qwen25,
      input: "Please answer @@plain",
      max_output_tokens: 1,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe("response.incomplete");
  });
});

describe("stored responses", () => {
  it("retrieves a stored response, and deletes it", async () => {
    const created = await client.responses.create({ ...qwen25, input: "Please answer @@plain" });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.output).toEqual(created.output);
    expect(retrieved.output_text).toBe("Hello there");
    const reply = await fetch(`${app.url}/v1/responses/${created.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${KEY_A}` },
    });
    expect(await reply.json()).toEqual({ id: created.id, object: "response.deleted", deleted: true });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.responses.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps nothing with store: false", async () => {
    const created = await client.responses.create({
      ...qwen25,
      input: "Please answer @@plain",
      store: false,
    });
    expect((created as typeof created & { store: boolean }).store).toBe(false);
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers 404 in OpenAI's shape for an unknown id", async () => {
    const error = await client.responses.retrieve("resp_unknown").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).error).toMatchObject({
      type: "invalid_request_error",
      message: expect.any(String),
    });
    const followUp = await client.responses
      .create({ ...qwen25, input: "Hi", previous_response_id: "resp_unknown" })
      .catch((caught: unknown) => caught);
    expect(followUp).toBeInstanceOf(NotFoundError);
    expect((followUp as NotFoundError).param).toBe("previous_response_id");
  });

  it("belongs to the API key that made it: another key can neither read, continue nor delete it", async () => {
    const created = await client.responses.create({ ...qwen25, input: "Please answer @@plain" });
    await expect(otherClient.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      otherClient.responses.create({ ...qwen25, input: "Hi", previous_response_id: created.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(otherClient.responses.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
  });
});

describe("client disconnects", () => {
  it("aborting a stream mid-generation cancels it and frees its slot", async () => {
    const controller = new AbortController();
    const stream = await client.responses.create(
      { model: "tiny", input: "Say hello", stream: true },
      { signal: controller.signal },
    );
    let deltas = 0;
    try {
      for await (const event of stream) {
        if (event.type === "response.output_text.delta" && ++deltas === 5) {
          expect(app.scheduler.state().busySlots).toBe(1);
          controller.abort();
        }
      }
    } catch (error) {
      expect(error).toBeInstanceOf(APIUserAbortError);
    }
    await eventually(() => app.scheduler.state().busySlots === 0, 3000);
    await eventually(() => finishReasons.at(-1) === "cancelled", 3000);
  });
});

describe("the response store's bounds", () => {
  const stored = (id: string) => ({ response: { id } as WireResponse, conversation: [] });

  it("evicts the least recently used response when full", () => {
    const store = new ResponseStore({ maxEntries: 2 });
    store.put("a", stored("resp_1"));
    store.put("a", stored("resp_2"));
    store.get("a", "resp_1");
    store.put("a", stored("resp_3"));
    expect(store.get("a", "resp_2")).toBeUndefined();
    expect(store.get("a", "resp_1")).toBeDefined();
    expect(store.size).toBe(2);
  });

  it("evicts within one key first, so a busy key cannot push out another key's responses", () => {
    const store = new ResponseStore({ maxEntries: 10, maxEntriesPerOwner: 2 });
    store.put("b", stored("resp_b"));
    for (const id of ["resp_1", "resp_2", "resp_3"]) store.put("a", stored(id));
    expect(store.get("b", "resp_b")).toBeDefined();
    expect(store.get("a", "resp_1")).toBeUndefined();
    expect(store.get("a", "resp_3")).toBeDefined();
  });
});

describe("input tokens", () => {
  it("counts the prompt a request would evaluate", async () => {
    const body = { ...qwen25, input: "Please answer @@plain", instructions: "Be brief." };
    const count = await client.responses.inputTokens.count(body);
    expect(count.object).toBe("response.input_tokens");
    const response = await client.responses.create(body);
    expect(count.input_tokens).toBe(response.usage?.input_tokens);
  });
});

describe("errors", () => {
  it("refuses an unsupported input part with a 400 naming it", async () => {
    const error = await client.responses
      .create({
        ...qwen25,
        input: [
          { role: "user", content: [{ type: "input_image", image_url: "https://x/y.png", detail: "auto" }] },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe("input[0].content[0].type");
    expect((error as BadRequestError).error).toMatchObject({ type: "invalid_request_error" });
  });

  it("refuses tools other than functions and an empty input", async () => {
    await expect(
      client.responses.create({ ...qwen25, input: "Hi", tools: [{ type: "web_search" }] }),
    ).rejects.toBeInstanceOf(BadRequestError);
    const empty = await client.responses.create({ ...qwen25, input: [] }).catch((caught: unknown) => caught);
    expect(empty).toBeInstanceOf(BadRequestError);
    expect((empty as BadRequestError).param).toBe("input");
  });
});
