// Admission errors over GraphQL, on a server with one slot and a queue of one: OVERLOADED with
// retryAfterSeconds when the queue is full, CANCELLED for a queued request cancelled by id. A large
// context keeps the slot-holding generation (no maxTokens) running for seconds, far longer than a test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelGenerationDocument,
  type ChatCompletionInput,
  ChatStreamDocument,
  CreateChatCompletionDocument,
} from "../../codegen/generated/graphql.js";
import type { RunningInferql } from "../../src/app.js";
import { collect, eventually, graphqlSseClient, iterate, postGraphql } from "../support/graphqlClients.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
const queuedIds: string[] = [];

beforeAll(async () => {
  app = await startTestServer({ flags: ["--slots", "1", "--queue", "1", "--ctx-size", "8192"] });
  app.scheduler.onEvent((event) => {
    if (event.type === "queued") queuedIds.push(event.id);
  });
});

afterAll(async () => {
  await app?.close();
});

const chatInput = (overrides: Partial<ChatCompletionInput> = {}): ChatCompletionInput => ({
  messages: [{ role: "USER", content: "Count llamas." }],
  ...overrides,
});

/** Occupies the one slot with a generation that runs until the returned function stops it. */
async function occupySlot(): Promise<() => Promise<void>> {
  const client = graphqlSseClient(app.url);
  const stream = iterate(client, ChatStreamDocument, { input: chatInput() });
  const first = await stream.next();
  expect(first.value?.data?.chatCompletion.__typename).toBe("GenerationStarted");
  return async () => {
    await stream.return?.();
    client.dispose();
    await eventually(() => app.scheduler.state().busySlots === 0, 1000);
  };
}

describe("admission errors", () => {
  it("a full queue answers OVERLOADED with retryAfterSeconds, to mutations and subscriptions alike", async () => {
    const release = await occupySlot();
    try {
      const waiting = postGraphql(app.url, CreateChatCompletionDocument, {
        input: chatInput({ maxTokens: 3 }),
      });
      await eventually(() => app.scheduler.state().queued === 1, 10_000);

      const rejected = await postGraphql(app.url, CreateChatCompletionDocument, {
        input: chatInput({ maxTokens: 3 }),
      });
      expect(rejected.data).toBeNull();
      expect(rejected.errors?.[0].extensions).toEqual({ code: "OVERLOADED", retryAfterSeconds: 1 });

      const client = graphqlSseClient(app.url);
      const stream = await collect(
        iterate(client, ChatStreamDocument, { input: chatInput({ maxTokens: 3 }) }),
      );
      client.dispose();
      expect(stream).toHaveLength(1);
      expect(stream[0].errors?.[0].extensions).toEqual({ code: "OVERLOADED", retryAfterSeconds: 1 });

      await release();
      const served = await waiting;
      expect(served.errors).toBeUndefined();
      expect(served.data?.createChatCompletion.usage.completionTokens).toBe(3);
    } finally {
      await release();
    }
  });

  it("cancelGeneration of a queued mutation answers it with CANCELLED", async () => {
    const release = await occupySlot();
    try {
      const queuedBefore = queuedIds.length;
      const waiting = postGraphql(app.url, CreateChatCompletionDocument, {
        input: chatInput({ maxTokens: 3 }),
      });
      await eventually(() => queuedIds.length > queuedBefore, 10_000);
      const cancel = await postGraphql(app.url, CancelGenerationDocument, { id: queuedIds[queuedBefore] });
      expect(cancel.data?.cancelGeneration).toBe(true);
      const cancelled = await waiting;
      expect(cancelled.data).toBeNull();
      expect(cancelled.errors?.[0].extensions).toEqual({ code: "CANCELLED" });
      expect(app.scheduler.state().queued).toBe(0);
    } finally {
      await release();
    }
  });
});
