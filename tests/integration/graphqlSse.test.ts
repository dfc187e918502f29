// GraphQL subscriptions over SSE (yoga's built-in, spoken by the graphql-sse client in its
// "distinct connections" mode), and HTTP clients that go away.
import { print } from "graphql";
import type { Client } from "graphql-sse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatCompletionInput,
  ChatStreamDocument,
  type ChatStreamSubscription,
  CompletionStreamDocument,
  CreateChatCompletionDocument,
  CreateCompletionDocument,
} from "../../codegen/generated/graphql.js";
import { GRAPHIQL_DEFAULT_QUERY } from "../../src/api/graphql/graphiql.js";
import type { RunningInferql } from "../../src/app.js";
import {
  collect,
  eventually,
  type GraphqlResult,
  graphqlSseClient,
  iterate,
  postGraphql,
} from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";

type ChatEvent = ChatStreamSubscription["chatCompletion"];

let app: RunningInferql;
let client: Client<false>;
const finishReasons = new Map<string, string>();

beforeAll(async () => {
  app = await startTestServer();
  app.scheduler.onEvent((event) => {
    if (event.type === "finished") finishReasons.set(event.id, event.reason);
  });
  client = graphqlSseClient(app.url);
});

afterAll(async () => {
  client?.dispose();
  await app?.close();
});

const chatInput = (overrides: Partial<ChatCompletionInput> = {}): ChatCompletionInput => ({
  messages: [{ role: "USER", content: "Describe an alpaca." }],
  ...overrides,
});

const idle = () => app.scheduler.state().busySlots === 0;

function eventsOf(results: GraphqlResult<ChatStreamSubscription>[]): ChatEvent[] {
  for (const result of results) expect(result.errors).toBeUndefined();
  return results.map((result) => result.data!.chatCompletion);
}

describe("subscriptions over SSE with the graphql-sse client", () => {
  it("stream started, content deltas and finished with usage; the deltas are the mutation's answer", async () => {
    const input = chatInput({ maxTokens: 20, seed: 21, temperature: 1, cachePrompt: false });
    const events = eventsOf(await collect(iterate(client, ChatStreamDocument, { input })));
    const started = events[0];
    const finished = events.at(-1);
    if (started.__typename !== "GenerationStarted" || finished?.__typename !== "GenerationFinished")
      throw new Error(`unexpected stream: ${events.map((event) => event.__typename).join(", ")}`);
    const deltas = events.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((event) => event.__typename === "ContentDelta")).toBe(true);
    expect(finished.finishReason).toBe("LENGTH");
    expect(finished.usage).toEqual({
      promptTokens: started.promptTokens,
      completionTokens: 20,
      totalTokens: started.promptTokens + 20,
      cachedPromptTokens: 0,
    });
    const streamed = deltas
      .map((event) => (event.__typename === "ContentDelta" ? event.content : ""))
      .join("");
    const mutation = await postGraphql(app.url, CreateChatCompletionDocument, { input });
    expect(mutation.data?.createChatCompletion.content).toBe(streamed);
  });

  it("stream a text completion as text deltas that add up to the finished text", async () => {
    const input = { prompt: "The llama said", maxTokens: 10, seed: 4, cachePrompt: false };
    const results = await collect(iterate(client, CompletionStreamDocument, { input }));
    const events = results.map((result) => result.data!.completion);
    expect(events[0].__typename).toBe("GenerationStarted");
    const finished = events.at(-1);
    if (finished?.__typename !== "CompletionFinished") throw new Error("no CompletionFinished");
    const text = events.map((event) => (event.__typename === "TextDelta" ? event.text : "")).join("");
    expect(finished).toMatchObject({ finishReason: "LENGTH", text, usage: { completionTokens: 10 } });
    const mutation = await postGraphql(app.url, CreateCompletionDocument, { input });
    expect(mutation.data?.createCompletion.text).toBe(text);
  });

  it("run the example subscription GraphiQL opens with", async () => {
    const results = await collect(client.iterate<ChatStreamSubscription>({ query: GRAPHIQL_DEFAULT_QUERY }));
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    expect(results.at(-1)?.data?.chatCompletion).toMatchObject({
      __typename: "GenerationFinished",
      finishReason: "LENGTH",
      usage: { completionTokens: 48 },
    });
  });

  it("disposing a subscription mid-stream cancels the generation and frees the slot at once", async () => {
    let id: string | undefined;
    for await (const result of iterate(client, ChatStreamDocument, { input: chatInput() })) {
      const event = result.data!.chatCompletion;
      if (event.__typename === "GenerationStarted") id = event.id;
      if (event.__typename === "ContentDelta") break; // graphql-sse aborts its request
    }
    expect(id).toBeDefined();
    await eventually(idle, 1000, "the slot was not freed");
    await eventually(() => finishReasons.has(id!), 1000);
    expect(finishReasons.get(id!)).toBe("cancelled");
  });

  it("an unknown model ends the stream with MODEL_NOT_FOUND, and the server keeps serving", async () => {
    const results = await collect(
      iterate(client, ChatStreamDocument, { input: chatInput({ model: "no-such-model", maxTokens: 4 }) }),
    );
    expect(results).toHaveLength(1);
    expect(results[0].errors?.[0].extensions).toEqual({ code: "MODEL_NOT_FOUND", modelId: "no-such-model" });
    const later = eventsOf(
      await collect(iterate(client, ChatStreamDocument, { input: chatInput({ maxTokens: 3 }) })),
    );
    expect(later.at(-1)).toMatchObject({ finishReason: "LENGTH" });
  });
});

describe("HTTP clients that go away", () => {
  it("a dropped SSE response cancels the generation and frees the slot", async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: print(ChatStreamDocument), variables: { input: chatInput() } }),
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("ContentDelta"))
      received += new TextDecoder().decode((await reader.read()).value);
    const id = /"id":"(chatcmpl-[^"]+)"/.exec(received)?.[1];
    expect(id).toBeDefined();
    controller.abort();
    await eventually(idle, 1000, "the slot was not freed");
    await eventually(() => finishReasons.has(id!), 1000);
    expect(finishReasons.get(id!)).toBe("cancelled");
  });

  it("a mutation whose client goes away is cancelled", async () => {
    const controller = new AbortController();
    const before = new Set(finishReasons.keys());
    const request = fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: print(CreateChatCompletionDocument), variables: { input: chatInput() } }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await eventually(() => app.scheduler.state().busySlots === 1, 10_000);
    controller.abort();
    await request;
    await eventually(idle, 1000, "the slot was not freed");
    await eventually(() => [...finishReasons.keys()].some((id) => !before.has(id)), 1000);
    const ended = [...finishReasons.entries()].filter(([id]) => !before.has(id));
    expect(ended.map(([, reason]) => reason)).toEqual(["cancelled"]);
  });
});
