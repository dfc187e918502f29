// `n` choices of one chat completion: independent generations of one prompt on separate slots,
// through the official openai client, GraphQL over graphql-ws and the tRPC client.
import type { Client } from "graphql-ws";
import type { OpenAI } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import type { SchedulerEvent } from "../../src/inference/scheduler/scheduler.js";
import { collect, eventually, type GraphqlResult, graphqlWsClient } from "../support/graphqlClients.js";
import { openAiClient, postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";

const hello = [{ role: "user" as const, content: "Tell me a story." }];

let app: RunningInferql;
let client: OpenAI;
let wsClient: Client;
const schedulerEvents: SchedulerEvent[] = [];

beforeAll(async () => {
  app = await startTestServer();
  app.scheduler.onEvent((event) => schedulerEvents.push(event));
  client = openAiClient(app.url);
  wsClient = graphqlWsClient(app.url);
});

afterAll(async () => {
  await wsClient?.dispose();
  await app?.close();
});

const idle = () => app.scheduler.state().busySlots === 0 && app.scheduler.state().queued === 0;

describe("OpenAI chat completions with n", () => {
  it("answers n = 3 with three choices indexed 0..2, usage summing their completion tokens", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      n: 3,
      max_tokens: 12,
      seed: 5,
      temperature: 1,
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    for (const choice of completion.choices) {
      expect(choice.message.role).toBe("assistant");
      expect(choice.message.content).toEqual(expect.any(String));
      expect(choice.finish_reason).toMatch(/^(stop|length)$/);
    }
    const usage = completion.usage!;
    // The tiny model rarely stops: each choice runs to max_tokens.
    expect(usage.completion_tokens).toBe(36);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    // The prompt is counted once, not once per choice.
    const single = await client.chat.completions.create({ model: "tiny", messages: hello, max_tokens: 1 });
    expect(usage.prompt_tokens).toBe(single.usage!.prompt_tokens);
  });

  it("streams n = 2 with chunks for both indexes, each with its own finish reason, then summed usage", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      n: 2,
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const choicesOf = (index: number) =>
      chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.index === index));
    for (const index of [0, 1]) {
      const choices = choicesOf(index);
      expect(choices[0].delta.role).toBe("assistant");
      expect(choices.filter((choice) => choice.delta.content).length).toBeGreaterThan(0);
      const finishes = choices.filter((choice) => choice.finish_reason !== null);
      expect(finishes).toHaveLength(1);
      expect(finishes[0].finish_reason).toBe("length");
      // The finish reason is the choice's last chunk.
      expect(choices.at(-1)).toBe(finishes[0]);
    }
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.completion_tokens).toBe(20);
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
  });

  it("gives seeded choices seed + i: they differ, and the same seed repeats them", async () => {
    const params = {
      model: "tiny",
      messages: hello,
      n: 2,
      max_tokens: 16,
      seed: 1234,
      temperature: 1,
    } as const;
    const first = await client.chat.completions.create(params);
    const [a, b] = first.choices.map((choice) => choice.message.content);
    expect(a).not.toBe(b);
    const again = await client.chat.completions.create(params);
    expect(again.choices.map((choice) => choice.message.content)).toEqual([a, b]);
    // Choice 1 of seed s is choice 0 of seed s + 1.
    const next = await client.chat.completions.create({ ...params, n: 1, seed: 1235 });
    expect(next.choices[0].message.content).toBe(b);
  });

  it("gives greedy choices (temperature 0) the same answer", async () => {
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      n: 2,
      max_tokens: 8,
      temperature: 0,
    });
    expect(completion.choices[0].message.content).toBe(completion.choices[1].message.content);
  });

  it.each([0, 9, 1.5])("400 naming n for n = %s", async (n) => {
    const { status, body } = await postJson(`${app.url}/v1/chat/completions`, {
      model: "tiny",
      messages: hello,
      n,
      max_tokens: 4,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: "invalid_request_error", param: "n" } });
  });

  it("runs the choices concurrently on separate slots, each its own generation", async () => {
    const before = schedulerEvents.length;
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      n: 3,
      max_tokens: 4,
    });
    const started = schedulerEvents
      .slice(before)
      .filter((event): event is SchedulerEvent & { type: "started" } => event.type === "started");
    expect(started.map((event) => event.id).sort()).toEqual(
      [completion.id, `${completion.id}.1`, `${completion.id}.2`].sort(),
    );
    expect(new Set(started.map((event) => event.slot)).size).toBe(3);
  });
});

describe("GraphQL with n", () => {
  const subscription = `subscription($input: ChatCompletionInput!) {
    chatCompletion(input: $input) {
      __typename
      ... on GenerationStarted { id promptTokens }
      ... on ContentDelta { choiceIndex content }
      ... on GenerationFinished {
        choiceIndex
        finishReason
        fullContent
        usage { completionTokens }
        totalUsage { promptTokens completionTokens totalTokens }
      }
    }
  }`;
  interface Event {
    __typename: string;
    choiceIndex?: number;
    content?: string;
    fullContent?: string | null;
    finishReason?: string;
    promptTokens?: number;
    usage?: { completionTokens: number };
    totalUsage?: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  }

  it("streams each choice's events over graphql-ws with its choiceIndex; the last finish totals usage", async () => {
    const input = { messages: [{ role: "USER", content: "Tell me a story." }], n: 2, maxTokens: 8 };
    const results = await collect(
      wsClient.iterate<{ chatCompletion: Event }>({ query: subscription, variables: { input } }),
    );
    for (const result of results as GraphqlResult<{ chatCompletion: Event }>[])
      expect(result.errors).toBeUndefined();
    const events = results.map((result) => result.data!.chatCompletion);
    expect(events.filter((event) => event.__typename === "GenerationStarted")).toHaveLength(1);
    const finishes = events.filter((event) => event.__typename === "GenerationFinished");
    expect(finishes.map((event) => event.choiceIndex).sort()).toEqual([0, 1]);
    expect(events.at(-1)).toBe(finishes[1]);
    for (const finish of finishes) {
      const content = events
        .filter((event) => event.__typename === "ContentDelta" && event.choiceIndex === finish.choiceIndex)
        .map((event) => event.content)
        .join("");
      expect(content).toBe(finish.fullContent);
      expect(finish.finishReason).toBe("LENGTH");
      expect(finish.usage?.completionTokens).toBe(8);
    }
    expect(finishes[0].totalUsage).toBeNull();
    expect(finishes[1].totalUsage).toMatchObject({
      promptTokens: events[0].promptTokens,
      completionTokens: 16,
    });
  });

  it("returns every choice from createChatCompletion, the top-level fields being choice 0's", async () => {
    const { data, errors } = await postJson(`${app.url}/graphql`, {
      query: `mutation($input: ChatCompletionInput!) {
        createChatCompletion(input: $input) {
          content
          usage { completionTokens }
          choices { index content finishReason usage { completionTokens } }
        }
      }`,
      variables: {
        input: { messages: [{ role: "USER", content: "Hi" }], n: 2, maxTokens: 6, seed: 9, temperature: 1 },
      },
    }).then(({ body }) => body as GraphqlResult<{ createChatCompletion: Record<string, unknown> }>);
    expect(errors).toBeUndefined();
    const completion = data!.createChatCompletion as {
      content: string;
      usage: { completionTokens: number };
      choices: {
        index: number;
        content: string;
        finishReason: string;
        usage: { completionTokens: number };
      }[];
    };
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.content).toBe(completion.choices[0].content);
    expect(completion.usage.completionTokens).toBe(12);
    expect(completion.choices.map((choice) => choice.usage.completionTokens)).toEqual([6, 6]);
  });

  it("rejects n = 9 naming the field", async () => {
    const { body } = await postJson(`${app.url}/graphql`, {
      query: `mutation { createChatCompletion(input: {messages: [{role: USER, content: "Hi"}], n: 9}) { content } }`,
    });
    expect((body as GraphqlResult<unknown>).errors?.[0]).toMatchObject({
      extensions: { code: "BAD_USER_INPUT", field: "n" },
    });
  });
});

describe("tRPC with n", () => {
  it("chat.create with n = 2 returns two choices", async () => {
    const trpc = createInferqlClient(app.url);
    const completion = await trpc.chat.create.mutate({
      messages: [{ role: "user", content: "Hi" }],
      n: 2,
      maxTokens: 5,
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.usage.completionTokens).toBe(10);
    for (const choice of completion.choices) expect(choice.content).toEqual(expect.any(String));
  });

  it("chat.stream events carry choiceIndex; the last finished has totalUsage", async () => {
    const trpc = createInferqlClient(app.url);
    const events = await collect(
      await trpc.chat.stream.subscribe({ messages: [{ role: "user", content: "Hi" }], n: 2, maxTokens: 4 }),
    );
    const finished = events.filter((event) => event.type === "finished");
    expect(finished.map((event) => event.choiceIndex).sort()).toEqual([0, 1]);
    expect(events.at(-1)).toMatchObject({ type: "finished", totalUsage: { completionTokens: 8 } });
  });
});

describe("cancellation and queueing", () => {
  const finishReasonsOf = (ids: string[]) =>
    ids.map(
      (id) =>
        schedulerEvents.find(
          (event): event is SchedulerEvent & { type: "finished" } =>
            event.type === "finished" && event.id === id,
        )?.reason,
    );

  it("a client that leaves a streamed n = 2 stops both choices and frees their slots", async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "tiny", messages: hello, n: 2, max_tokens: 2000, stream: true },
      { signal: controller.signal },
    );
    const seen = new Set<number>();
    let id = "";
    try {
      for await (const chunk of stream) {
        id = chunk.id;
        for (const choice of chunk.choices) if (choice.delta.content) seen.add(choice.index);
        if (seen.size === 2) controller.abort();
      }
    } catch {
      // The client reports its own abort.
    }
    const ids = [id, `${id}.1`];
    await eventually(
      () => finishReasonsOf(ids).every((reason) => reason !== undefined),
      5000,
      "not finished",
    );
    expect(finishReasonsOf(ids)).toEqual(["cancelled", "cancelled"]);
    await eventually(idle, 5000, "slots still busy");
  });

  it("cancelGeneration with the completion's id stops every choice", async () => {
    const input = { messages: [{ role: "USER", content: "Go on." }], n: 2, maxTokens: 2000 };
    const events: { __typename: string; id?: string; choiceIndex?: number; finishReason?: string }[] = [];
    for await (const result of wsClient.iterate<{ chatCompletion: (typeof events)[number] }>({
      query: `subscription($input: ChatCompletionInput!) { chatCompletion(input: $input) {
        __typename
        ... on GenerationStarted { id }
        ... on GenerationFinished { choiceIndex finishReason }
      } }`,
      variables: { input },
    })) {
      const event = result.data!.chatCompletion;
      events.push(event);
      if (event.__typename === "GenerationStarted") {
        await eventually(() => app.scheduler.state().busySlots === 2, 5000, "both choices not running");
        const { body } = await postJson(`${app.url}/graphql`, {
          query: "mutation($id: ID!) { cancelGeneration(id: $id) }",
          variables: { id: event.id },
        });
        expect(body).toEqual({ data: { cancelGeneration: true } });
      }
    }
    const finishes = events.filter((event) => event.__typename === "GenerationFinished");
    expect(finishes.map((event) => event.finishReason)).toEqual(["CANCELLED", "CANCELLED"]);
    await eventually(idle, 5000, "slots still busy");
  });

  it("queues the choices beyond the free slots and answers them all", async () => {
    const before = schedulerEvents.length;
    const completion = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      n: 6,
      max_tokens: 6,
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(completion.usage?.completion_tokens).toBe(36);
    // The test server has 4 slots: two choices waited for one.
    expect(schedulerEvents.slice(before).filter((event) => event.type === "queued")).toHaveLength(2);
  });
});

describe("afterwards", () => {
  it("leaves no slot busy and nothing queued", async () => {
    await eventually(idle, 5000, "slots still busy");
    expect(app.scheduler.state().busySlots).toBe(0);
  });
});
