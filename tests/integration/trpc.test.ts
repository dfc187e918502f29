// The tRPC router through real @trpc/client links: batched HTTP, SSE and WebSocket subscriptions,
// cancellation that frees the slot, and domain errors as tRPC codes.
import { createTRPCClient, createWSClient, httpBatchLink, TRPCClientError, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient, type InferqlClient, type RouterInputs } from "../../src/client/index.js";
import type { SchedulerEvent } from "../../src/inference/scheduler/scheduler.js";
import { eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

type ChatInput = RouterInputs["chat"]["stream"];

const hello = (maxTokens: number, extra: Partial<ChatInput> = {}): ChatInput => ({
  messages: [{ role: "user", content: "Say something." }],
  maxTokens,
  ...extra,
});
/** Long enough that it is still running when the test stops it (the tiny model rarely stops). */
const LONG = 4000;

let app: RunningInferql;
let client: InferqlClient;
let wsClient: InferqlClient;
/** Why each generation ended, by id, as the scheduler saw it. */
const finishReasons = new Map<string, string>();

beforeAll(async () => {
  app = await startTestServer({ flags: ["--ctx-size", "8192"] });
  app.scheduler.onEvent((event: SchedulerEvent) => {
    if (event.type === "finished") finishReasons.set(event.id, event.reason);
  });
  client = createInferqlClient(app.url);
  wsClient = createInferqlClient(app.url, { subscriptions: "ws" });
});

afterAll(async () => {
  await app?.close();
});

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function caught(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const slotsFree = () => app.scheduler.state().busySlots === 0 && app.scheduler.state().queued === 0;

describe("queries and mutations over batched HTTP", () => {
  it("sends concurrent queries as one HTTP request and answers each", async () => {
    const requested: string[] = [];
    const batching = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${app.url}/trpc`,
          fetch: (url, init) => {
            requested.push(new URL(String(url)).pathname);
            return fetch(url, init);
          },
        }),
      ],
    });
    const [models, health, state] = await Promise.all([
      batching.models.list.query(),
      batching.health.query(),
      batching.scheduler.state.query(),
    ]);
    expect(requested).toEqual(["/trpc/models.list,health,scheduler.state"]);
    expect(models.map((model) => model.id)).toEqual(["tiny"]);
    expect(health).toMatchObject({ status: "ready", models: ["tiny"] });
    expect(state.totalSlots).toBeGreaterThan(0);
  });

  it("creates a chat completion as a mutation, cut at maxTokens", async () => {
    const completion = await client.chat.create.mutate(hello(8));
    expect(completion.model).toBe("tiny");
    expect(completion.finishReason).toBe("length");
    expect(completion.usage.completionTokens).toBe(8);
    expect(typeof completion.content).toBe("string");
  });

  it("creates a raw completion as a mutation", async () => {
    const completion = await client.completion.create.mutate({ prompt: "Once upon a time", maxTokens: 6 });
    expect(completion.finishReason).toBe("length");
    expect(completion.usage.completionTokens).toBe(6);
    const fromIds = await client.completion.create.mutate({ prompt: [1, 2, 3], maxTokens: 4 });
    expect(fromIds.usage).toMatchObject({ promptTokens: 3, completionTokens: 4 });
  });

  it("tokenizes and detokenizes back to the same text", async () => {
    const { tokens } = await client.tokenizer.tokenize.query({ text: "hello world" });
    expect(tokens.length).toBeGreaterThan(0);
    const { text } = await client.tokenizer.detokenize.query({ tokens: tokens.map((token) => token.id) });
    expect(text).toBe("hello world");
  });

  it("embeds each input text", async () => {
    const embeddings = await client.embeddings.create.mutate({ input: ["one", "two"] });
    expect(embeddings.vectors).toHaveLength(2);
    expect(embeddings.vectors[0].length).toBeGreaterThan(0);
    // An input longer than the context: cut to it with truncate, refused without.
    const long = "word ".repeat(app.registry.get("tiny").info().contextSize + 100);
    const cut = await client.embeddings.create.mutate({ input: long, truncate: true });
    expect(cut.vectors).toHaveLength(1);
    await expect(client.embeddings.create.mutate({ input: long })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
  });

  it("finds a model by id, and null for an unknown id", async () => {
    expect((await client.models.byId.query({ id: "tiny" }))?.adapters).toEqual(["style"]);
    expect(await client.models.byId.query({ id: "nope" })).toBeNull();
  });
});

describe("subscriptions stream typed events", () => {
  it("streams started → content deltas → finished over SSE", async () => {
    const events = await collect(client.chat.stream.subscribe(hello(16)));
    expect(events[0].type).toBe("started");
    expect(events.slice(1, -1).every((event) => event.type === "contentDelta")).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    const finished = events.at(-1);
    expect(finished?.type).toBe("finished");
    if (finished?.type !== "finished") return;
    expect(finished.finishReason).toBe("length");
    expect(finished.usage.completionTokens).toBe(16);
    const streamed = events.map((event) => (event.type === "contentDelta" ? event.content : "")).join("");
    expect(finished.content).toBe(streamed);
  });

  it("streams started → content deltas → finished over WebSocket", async () => {
    const events = await collect(wsClient.chat.stream.subscribe(hello(16)));
    expect(events.map((event) => event.type)).toEqual([
      "started",
      ...Array(events.length - 2).fill("contentDelta"),
      "finished",
    ]);
    expect(events.length).toBeGreaterThan(2);
    const finished = events.at(-1);
    expect(finished?.type === "finished" && finished.usage.completionTokens).toBe(16);
  });

  it("streams a raw completion as started → text deltas → finished", async () => {
    const events = await collect(client.completion.stream.subscribe({ prompt: "Once", maxTokens: 8 }));
    expect(events[0].type).toBe("started");
    expect(events.slice(1, -1).every((event) => event.type === "textDelta")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "length" });
  });

  it("streams the scheduler's state as a generation runs and ends", async () => {
    const states: { busySlots: number }[] = [];
    const watching = client.scheduler.watch.subscribe(undefined, { onData: (state) => states.push(state) });
    try {
      await eventually(() => states.length > 0);
      await client.chat.create.mutate(hello(32));
      await eventually(() => states.some((state) => state.busySlots === 1) && states.at(-1)?.busySlots === 0);
    } finally {
      watching.unsubscribe();
    }
  });
});

describe("leaving a stream aborts the generation and frees its slot", () => {
  /** Subscribes, waits for the first delta, runs `leave`, and checks the scheduler cancelled it. */
  async function expectCancelledWhenLeft(
    subscribe: (callbacks: { onData: (event: { type: string; id: string }) => void }) => void,
    leave: () => void | Promise<void>,
  ) {
    let id: string | undefined;
    let deltas = 0;
    subscribe({
      onData: (event) => {
        id = event.id;
        if (event.type !== "started") deltas++;
      },
    });
    await eventually(() => deltas > 0);
    expect(app.scheduler.state().busySlots).toBe(1);
    await leave();
    await eventually(slotsFree);
    expect(finishReasons.get(id ?? "")).toBe("cancelled");
  }

  it("when an SSE subscription is unsubscribed", async () => {
    let subscription: { unsubscribe(): void } | undefined;
    await expectCancelledWhenLeft(
      (callbacks) => {
        subscription = client.chat.stream.subscribe(hello(LONG), callbacks);
      },
      () => subscription?.unsubscribe(),
    );
  });

  it("when the signal given to an SSE subscription is aborted", async () => {
    const controller = new AbortController();
    await expectCancelledWhenLeft(
      (callbacks) => {
        client.completion.stream.subscribe(
          { prompt: "Once", maxTokens: LONG },
          { ...callbacks, signal: controller.signal },
        );
      },
      () => controller.abort(),
    );
  });

  it("when a for-await loop over the subscription breaks", async () => {
    let id = "";
    for await (const event of client.chat.stream.subscribe(hello(LONG))) {
      id = event.id;
      if (event.type === "contentDelta") break;
    }
    await eventually(slotsFree);
    expect(finishReasons.get(id)).toBe("cancelled");
  });

  it("when a WebSocket subscription is unsubscribed", async () => {
    let subscription: { unsubscribe(): void } | undefined;
    await expectCancelledWhenLeft(
      (callbacks) => {
        subscription = wsClient.chat.stream.subscribe(hello(LONG), callbacks);
      },
      () => subscription?.unsubscribe(),
    );
  });

  it("when the WebSocket connection closes", async () => {
    const socket = createWSClient({
      url: `${app.url.replace(/^http/, "ws")}/trpc`,
      WebSocket: (await import("ws")).WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const raw = createTRPCClient<AppRouter>({ links: [wsLink({ client: socket })] });
    await expectCancelledWhenLeft(
      (callbacks) => {
        raw.chat.stream.subscribe(hello(LONG), { ...callbacks, onError: () => undefined });
      },
      () => socket.close(),
    );
  });

  it("when the client aborts a chat mutation", async () => {
    const controller = new AbortController();
    const pending = client.chat.create.mutate(hello(LONG), { signal: controller.signal });
    await eventually(() => app.scheduler.state().busySlots === 1);
    const [running] = app.scheduler.state().models[0].slots.filter((slot) => slot.busy);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(slotsFree);
    expect(finishReasons.get(running.requestId ?? "")).toBe("cancelled");
  });

  it("when scheduler.cancel is called with the id from the started event", async () => {
    const events: { type: string; id: string }[] = [];
    let cancelled: Promise<boolean> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      client.chat.stream.subscribe(hello(LONG), {
        onData: (event) => {
          events.push(event);
          if (event.type === "contentDelta" && !cancelled)
            cancelled = client.scheduler.cancel.mutate({ id: event.id });
        },
        onComplete: resolve,
        onError: reject,
      });
    });
    await done;
    expect(await cancelled).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "cancelled" });
    await eventually(slotsFree);
    expect(await client.scheduler.cancel.mutate({ id: events[0].id })).toBe(false);
  });
});

describe("domain errors carry tRPC codes", () => {
  it("an unknown model is NOT_FOUND for a mutation", async () => {
    const error = await caught(client.chat.create.mutate(hello(4, { model: "nope" })));
    expect(error.data?.code).toBe("NOT_FOUND");
    expect(error.data?.httpStatus).toBe(404);
    expect(error.message).toContain("nope");
  });

  it("an unknown model is NOT_FOUND for SSE and WebSocket subscriptions", async () => {
    for (const subscriber of [client, wsClient]) {
      const error = await caught(collect(subscriber.chat.stream.subscribe(hello(4, { model: "nope" }))));
      expect(error.data?.code).toBe("NOT_FOUND");
    }
    expect(slotsFree()).toBe(true);
  });

  it("input the schema rejects is BAD_REQUEST naming the field", async () => {
    const error = await caught(client.chat.create.mutate({ messages: [] }));
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.field).toBe("messages");
    expect(error.message).toMatch(/^Invalid 'messages': /);
  });

  it("a nested bad field in a subscription is BAD_REQUEST with its path", async () => {
    const input = { messages: [{ role: "user", content: 42 }] } as unknown as ChatInput;
    for (const subscriber of [client, wsClient]) {
      const error = await caught(collect(subscriber.chat.stream.subscribe(input)));
      expect(error.data?.code).toBe("BAD_REQUEST");
      expect(error.data?.field).toBe("messages.0.content");
    }
  });

  it("input a resolver rejects is BAD_REQUEST naming the field", async () => {
    const error = await caught(client.tokenizer.detokenize.query({ tokens: [1, 2_000_000_000] }));
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.field).toBe("tokens.1");
  });

  it("a missing procedure is NOT_FOUND", async () => {
    const response = await fetch(`${app.url}/trpc/chat.nope`);
    expect(response.status).toBe(404);
  });
});
