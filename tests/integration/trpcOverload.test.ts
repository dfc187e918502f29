// A full queue through tRPC: one slot, a queue of one, and more subscribers than that.
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AppRouter } from "../../src/api/trpc/index.js";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient, type InferqlClient, type RouterInputs } from "../../src/client/index.js";
import { eventually } from "../support/collect.js";
import { startTestServer } from "../support/startTestServer.js";

/** Long enough to hold the one slot for the whole test (the tiny model rarely stops). */
const holdTheSlot: RouterInputs["chat"]["stream"] = {
  messages: [{ role: "user", content: "Talk for a while." }],
  maxTokens: 6000,
};

let app: RunningInferql;
let client: InferqlClient;
let wsClient: InferqlClient;

beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", "1", "--queue", "1", "--ctx-size", "8192"] });
  client = createInferqlClient(app.url);
  wsClient = createInferqlClient(app.url, { subscriptions: "ws" });
});

afterAll(async () => {
  await app?.close();
});

it("rejects subscribers beyond one running and one queued with TOO_MANY_REQUESTS, then frees everything", async () => {
  const errors: TRPCClientError<AppRouter>[] = [];
  const subscribers = [client, wsClient, client, wsClient];
  const subscriptions = subscribers.map((subscriber) =>
    subscriber.chat.stream.subscribe(holdTheSlot, {
      onError: (error) => errors.push(error as TRPCClientError<AppRouter>),
    }),
  );
  try {
    await eventually(() => errors.length === 2);
    expect(app.scheduler.state()).toMatchObject({ busySlots: 1, queued: 1 });
    for (const error of errors) {
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error.data?.code).toBe("TOO_MANY_REQUESTS");
      expect(error.data?.retryAfterSeconds).toBe(1);
    }

    // While saturated, a mutation is refused too, with HTTP 429 and Retry-After.
    const rejected = await client.chat.create
      .mutate({ ...holdTheSlot, maxTokens: 4 })
      .catch((error) => error);
    expect(rejected).toBeInstanceOf(TRPCClientError);
    expect((rejected as TRPCClientError<AppRouter>).data?.code).toBe("TOO_MANY_REQUESTS");
    const response = await fetch(`${app.url}/trpc/chat.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...holdTheSlot, maxTokens: 4 }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
  }
  // Leaving frees the running slot and the queued place at once.
  await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.state().queued === 0);
  const after = await client.chat.create.mutate({ ...holdTheSlot, maxTokens: 4 });
  expect(after.finishReason).toBe("length");
});
