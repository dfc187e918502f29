// GraphQL over WebSocket (graphql-ws protocol): token streams with the typed documents from
// codegen/generated, concurrency on one socket, cancellation (complete, socket close, cancelGeneration),
// tool-call deltas, errors that leave the socket serving, and live scheduler state.
import { print } from "graphql";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  CancelGenerationDocument,
  type ChatCompletionInput,
  ChatStreamDocument,
  type ChatStreamSubscription,
  CreateChatCompletionDocument,
  ModelsDocument,
  SchedulerEventsDocument,
} from "../../codegen/generated/graphql.js";
import type { RunningInferql } from "../../src/app.js";
import {
  collect,
  eventually,
  type GraphqlResult,
  graphqlWsClient,
  iterate,
  postGraphql,
  wsUrl,
} from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";

type ChatEvent = ChatStreamSubscription["chatCompletion"];

let app: RunningInferql;
let client: Client;
/** Why each generation ended, as the scheduler reports it. */
const finishReasons = new Map<string, string>();
const queuedIds: string[] = [];
const startedIds = new Set<string>();

beforeAll(async () => {
  app = await startTestServer();
  app.scheduler.onEvent((event) => {
    if (event.type === "finished") finishReasons.set(event.id, event.reason);
    if (event.type === "queued") queuedIds.push(event.id);
    if (event.type === "started") startedIds.add(event.id);
  });
  client = graphqlWsClient(app.url);
});

afterAll(async () => {
  await client?.dispose();
  await app?.close();
});

const chatInput = (overrides: Partial<ChatCompletionInput> = {}): ChatCompletionInput => ({
  messages: [
    { role: "SYSTEM", content: "You are terse." },
    { role: "USER", content: "Tell me about llamas." },
  ],
  ...overrides,
});

function eventsOf(results: GraphqlResult<ChatStreamSubscription>[]): ChatEvent[] {
  for (const result of results) expect(result.errors).toBeUndefined();
  return results.map((result) => result.data!.chatCompletion);
}

function finishedOf(events: ChatEvent[]) {
  const last = events.at(-1);
  if (last?.__typename !== "GenerationFinished") throw new Error(`stream ended with ${last?.__typename}`);
  return last;
}

const idle = () => app.scheduler.state().busySlots === 0;
/** A sink for subscriptions whose events a test does not read. */
const sink = { next: () => undefined, error: () => undefined, complete: () => undefined };

describe("chat completion subscription over graphql-ws", () => {
  it("streams started, then content deltas, then finished with usage; the deltas are the mutation's answer", async () => {
    const input = chatInput({ maxTokens: 24, seed: 11, temperature: 1, cachePrompt: false });
    const events = eventsOf(await collect(iterate(client, ChatStreamDocument, { input })));

    const [started, ...rest] = events;
    if (started.__typename !== "GenerationStarted") throw new Error(`first event is ${started.__typename}`);
    const finished = finishedOf(rest);
    const deltas = rest.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(0);
    expect(new Set(deltas.map((event) => event.__typename))).toEqual(new Set(["ContentDelta"]));
    expect(new Set(events.map((event) => event.id))).toEqual(new Set([started.id]));
    expect(started.model).toBe("tiny");
    expect(started.cachedPromptTokens).toBe(0);

    expect(finished.finishReason).toBe("LENGTH");
    expect(finished.usage).toEqual({
      promptTokens: started.promptTokens,
      completionTokens: 24,
      totalTokens: started.promptTokens + 24,
      cachedPromptTokens: 0,
    });
    const streamed = deltas
      .map((event) => (event.__typename === "ContentDelta" ? event.content : ""))
      .join("");
    expect(finished.fullContent).toBe(streamed);

    const mutation = await postGraphql(app.url, CreateChatCompletionDocument, { input });
    expect(mutation.errors).toBeUndefined();
    expect(mutation.data?.createChatCompletion.content).toBe(streamed);
  });

  it("runs 12 concurrent subscriptions over one socket, each to its requested token count, without a listener-leak warning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      const maxTokens = Array.from({ length: 12 }, (_, index) => 8 + index);
      const streams = await Promise.all(
        maxTokens.map(async (tokens) =>
          eventsOf(
            await collect(iterate(client, ChatStreamDocument, { input: chatInput({ maxTokens: tokens }) })),
          ),
        ),
      );
      streams.forEach((events, index) => {
        const finished = finishedOf(events);
        expect(finished.finishReason).toBe("LENGTH");
        expect(finished.usage.completionTokens).toBe(maxTokens[index]);
      });
      expect(new Set(streams.map((events) => events[0].id)).size).toBe(12);
      await eventually(idle, 1000);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.includes("MaxListeners"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("completing a subscription mid-stream cancels its generation and frees the slot at once", async () => {
    let socketClosed = false;
    const stopWatching = client.on("closed", () => {
      socketClosed = true;
    });
    // No maxTokens: left alone, this generation would fill the context (~2,000 tokens).
    const results = iterate(client, ChatStreamDocument, { input: chatInput() });
    let id: string | undefined;
    for await (const result of results) {
      const event = result.data!.chatCompletion;
      if (event.__typename === "GenerationStarted") id = event.id;
      if (event.__typename === "ContentDelta") break; // sends graphql-ws `complete`
    }
    expect(id).toBeDefined();
    await eventually(idle, 1000, "the slot was not freed");
    await eventually(() => finishReasons.has(id!), 1000);
    expect(finishReasons.get(id!)).toBe("cancelled");
    stopWatching();
    expect(socketClosed).toBe(false); // the `complete` message alone did it
  });

  it("completing a subscription that waits in the queue removes it without it ever taking a slot", async () => {
    const longStreams = Array.from({ length: 4 }, () =>
      client.subscribe({ query: print(ChatStreamDocument), variables: { input: chatInput() } }, sink),
    );
    await eventually(() => app.scheduler.state().busySlots === 4, 10_000);
    const queuedBefore = queuedIds.length;
    const unsubscribeQueued = client.subscribe(
      { query: print(ChatStreamDocument), variables: { input: chatInput({ maxTokens: 4 }) } },
      sink,
    );
    await eventually(() => app.scheduler.state().queued === 1, 10_000);
    const queuedId = queuedIds[queuedBefore];

    unsubscribeQueued();
    await eventually(() => app.scheduler.state().queued === 0, 1000, "it stayed queued");
    expect(app.scheduler.state().busySlots).toBe(4);
    for (const unsubscribe of longStreams) unsubscribe();
    await eventually(idle, 1000, "the slots were not freed");
    expect(startedIds.has(queuedId)).toBe(false);
  });

  it("closing the socket mid-stream cancels its generations and frees the slots at once", async () => {
    const socket = new WebSocket(wsUrl(app.url), "graphql-transport-ws");
    const messages: { type: string; id?: string; payload?: GraphqlResult<ChatStreamSubscription> }[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await eventually(() => messages.some((message) => message.type === "connection_ack"), 1000);
    for (const id of ["a", "b"])
      socket.send(
        JSON.stringify({
          id,
          type: "subscribe",
          payload: { query: print(ChatStreamDocument), variables: { input: chatInput() } },
        }),
      );
    const deltaOf = (id: string) =>
      messages.some(
        (message) => message.id === id && message.payload?.data?.chatCompletion.__typename === "ContentDelta",
      );
    await eventually(() => deltaOf("a") && deltaOf("b"), 10_000);
    const generationIds = messages.flatMap((message) => {
      const event = message.payload?.data?.chatCompletion;
      return event?.__typename === "GenerationStarted" ? [event.id] : [];
    });
    expect(app.scheduler.state().busySlots).toBe(2);

    socket.terminate(); // no close handshake: the TCP connection just goes away
    await eventually(idle, 1000, "the slots were not freed");
    await eventually(() => generationIds.every((id) => finishReasons.has(id)), 1000);
    expect(generationIds.map((id) => finishReasons.get(id))).toEqual(["cancelled", "cancelled"]);
  });

  it("cancelGeneration with the started event's id ends a running subscription with CANCELLED", async () => {
    const events: ChatEvent[] = [];
    let cancelled: boolean | undefined;
    for await (const result of iterate(client, ChatStreamDocument, { input: chatInput() })) {
      const event = result.data!.chatCompletion;
      events.push(event);
      if (event.__typename === "GenerationStarted") {
        const { data } = await postGraphql(app.url, CancelGenerationDocument, { id: event.id });
        cancelled = data?.cancelGeneration;
      }
    }
    expect(cancelled).toBe(true);
    const finished = finishedOf(events);
    expect(finished.finishReason).toBe("CANCELLED");
    expect(finished.usage.completionTokens).toBeLessThan(1000);
    await eventually(idle, 1000);
    expect(
      (await postGraphql(app.url, CancelGenerationDocument, { id: finished.id })).data?.cancelGeneration,
    ).toBe(false);
  });

  it("a named tool choice streams ToolCallDelta events and finishes with TOOL_CALLS", async () => {
    const input = chatInput({
      messages: [{ role: "USER", content: "Turn the lamp on, in blue." }],
      tools: [
        {
          function: {
            name: "set_lamp",
            description: "Switches the lamp and sets its color.",
            parameters: {
              type: "object",
              properties: {
                on: { type: "boolean" },
                color: { type: "string", enum: ["red", "green", "blue"] },
              },
              required: ["on", "color"],
              additionalProperties: false,
            },
          },
        },
      ],
      toolChoice: { function: { name: "set_lamp" } },
      maxTokens: 256,
      seed: 5,
    });
    const events = eventsOf(await collect(iterate(client, ChatStreamDocument, { input })));
    const deltas = events.flatMap((event) => (event.__typename === "ToolCallDelta" ? [event] : []));
    expect(deltas.length).toBeGreaterThan(0);
    expect(events.some((event) => event.__typename === "ContentDelta")).toBe(false);
    expect(deltas[0]).toMatchObject({ index: 0, name: "set_lamp", callId: expect.any(String) });
    expect(new Set(deltas.map((delta) => delta.index))).toEqual(new Set([0]));

    const finished = finishedOf(events);
    expect(finished.finishReason).toBe("TOOL_CALLS");
    expect(finished.fullContent).toBeNull();
    const streamedArguments = deltas.map((delta) => delta.argumentsDelta).join("");
    expect(finished.toolCalls).toEqual([
      { id: deltas[0].callId, name: "set_lamp", arguments: streamedArguments },
    ]);
    const args = JSON.parse(streamedArguments) as { on: unknown; color: unknown };
    expect(typeof args.on).toBe("boolean");
    expect(["red", "green", "blue"]).toContain(args.color);
  });
});

describe("errors over graphql-ws", () => {
  it("an unknown model ends the subscription with MODEL_NOT_FOUND and the socket keeps serving", async () => {
    const results = await collect(
      iterate(client, ChatStreamDocument, { input: chatInput({ model: "no-such-model", maxTokens: 4 }) }),
    );
    expect(results).toHaveLength(1);
    expect(results[0].errors?.[0].extensions).toEqual({ code: "MODEL_NOT_FOUND", modelId: "no-such-model" });

    const invalid = await collect(
      iterate(client, ChatStreamDocument, { input: chatInput({ temperature: 9 }) }),
    );
    expect(invalid[0].errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "temperature" });

    const later = eventsOf(
      await collect(iterate(client, ChatStreamDocument, { input: chatInput({ maxTokens: 4 }) })),
    );
    expect(finishedOf(later).usage.completionTokens).toBe(4);
  });

  it("a malformed or too deep document is refused with errors, not a closed socket", async () => {
    const malformed = collect(client.iterate({ query: "subscription { chatCompletion(" }));
    await expect(malformed).rejects.toEqual([
      expect.objectContaining({ message: expect.stringContaining("Syntax Error") }),
    ]);
    const tooDeep = collect(
      client.iterate({
        query:
          "{ scheduler { models { slots { index { a { b { c { d { e { f { g { h { i } } } } } } } } } } } } }",
      }),
    );
    await expect(tooDeep).rejects.toContainEqual(
      expect.objectContaining({ extensions: expect.objectContaining({ code: "QUERY_TOO_DEEP" }) }),
    );
    const models = await collect(iterate(client, ModelsDocument, {}));
    expect(models[0].data?.models[0].id).toBe("tiny");
  });
});

describe("scheduler events subscription", () => {
  it("streams the scheduler's state as a generation starts and finishes", async () => {
    const states: { busySlots: number }[] = [];
    const results = iterate(client, SchedulerEventsDocument, {});
    const watching = (async () => {
      for await (const result of results) {
        states.push(result.data!.schedulerEvents);
        if (states.length > 1 && result.data!.schedulerEvents.busySlots === 0) break;
      }
    })();
    await eventually(() => states.length > 0, 1000);
    expect(states[0].busySlots).toBe(0);
    const mutation = await postGraphql(app.url, CreateChatCompletionDocument, {
      input: chatInput({ maxTokens: 8 }),
    });
    expect(mutation.errors).toBeUndefined();
    await watching;
    expect(states.some((state) => state.busySlots === 1)).toBe(true);
    expect(states.at(-1)?.busySlots).toBe(0);
  });
});
