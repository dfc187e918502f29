// Scheduler behaviour seen through the resolvers: concurrency, cancellation, admission, prompt cache.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunningInferql } from "../../../src/app.js";
import { CancelledError, OverloadedError } from "../../../src/errors.js";
import type { ChatCompletionEvent } from "../../../src/resolvers/index.js";
import { collect, eventually, finishedOf } from "../../support/collect.js";
import { startTestServer } from "../../support/startTestServer.js";

const hello = [{ role: "user" as const, content: "Say something." }];

describe("with 4 slots", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "4"] });
  });
  afterAll(async () => app?.close());

  test("8 concurrent streams all finish with the requested token counts", async () => {
    const lengths = [8, 16, 24, 32, 40, 48, 56, 64];
    let peakBusy = 0;
    const unsubscribe = app.scheduler.onEvent(() => {
      peakBusy = Math.max(peakBusy, app.scheduler.state().busySlots);
    });
    const results = await Promise.all(
      lengths.map((maxTokens) => collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens }))),
    );
    unsubscribe();
    results.forEach((events, index) => {
      const finished = finishedOf(events);
      expect(finished.finishReason).toBe("length");
      expect(finished.usage.completionTokens).toBe(lengths[index]);
    });
    expect(peakBusy).toBe(4);
    expect(app.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  test("leaving a stream frees its slot within 100 ms", async () => {
    const stream = app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 2000 });
    for await (const event of stream) if (event.type === "contentDelta") break;
    const took = await eventually(() => app.scheduler.state().busySlots === 0, 100);
    expect(took).toBeLessThan(100);
  });

  test("aborting the signal frees the slot even if nobody reads the stream any more", async () => {
    const controller = new AbortController();
    const stream = app.resolvers.streamChatCompletion(
      { messages: hello, maxTokens: 2000 },
      { signal: controller.signal },
    );
    await stream.next();
    await stream.next();
    expect(app.scheduler.state().busySlots).toBe(1);
    controller.abort();
    await eventually(() => app.scheduler.state().busySlots === 0, 100);
  });

  test("a second request sharing a long prompt prefix reuses the cached prompt tokens", async () => {
    const system = { role: "system" as const, content: "You are a helpful model. ".repeat(60) };
    const first = await app.resolvers.createChatCompletion({
      messages: [system, { role: "user", content: "one" }],
      maxTokens: 4,
    });
    const second = await app.resolvers.createChatCompletion({
      messages: [system, { role: "user", content: "two" }],
      maxTokens: 4,
    });
    expect(first.usage.promptTokens).toBeGreaterThan(300);
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(300);
    expect(second.usage.cachedPromptTokens).toBeLessThan(second.usage.promptTokens);
  });

  test("cachePrompt false evaluates the whole prompt", async () => {
    const system = { role: "system" as const, content: "Cache me if you can. ".repeat(40) };
    await app.resolvers.createChatCompletion({
      messages: [system, { role: "user", content: "a" }],
      maxTokens: 2,
    });
    const uncached = await app.resolvers.createChatCompletion({
      messages: [system, { role: "user", content: "b" }],
      maxTokens: 2,
      cachePrompt: false,
    });
    expect(uncached.usage.cachedPromptTokens).toBe(0);
  });

  test("scheduler state reports each slot", () => {
    const [model] = app.resolvers.schedulerState().models;
    expect(model.model).toBe("tiny");
    expect(model.slots).toHaveLength(4);
    expect(model.queueCapacity).toBe(64);
  });
});

describe("with 1 slot and a queue of 1", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "1", "--queue", "1"] });
  });
  afterAll(async () => app?.close());

  test("a full queue rejects with Overloaded while admitted requests complete", async () => {
    const running = app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 300 });
    await running.next();
    const queued = collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 8 }));
    await eventually(() => app.scheduler.state().queued === 1);
    await expect(
      collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 8 })),
    ).rejects.toBeInstanceOf(OverloadedError);
    const rest = await collect(running);
    expect(finishedOf(rest as ChatCompletionEvent[]).usage.completionTokens).toBe(300);
    expect(finishedOf(await queued).usage.completionTokens).toBe(8);
  });

  test("a request aborted while queued never takes a slot", async () => {
    const starts: string[] = [];
    const unsubscribe = app.scheduler.onEvent((event) => {
      if (event.type === "started") starts.push(event.id);
    });
    const running = app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 200 });
    await running.next();
    const controller = new AbortController();
    const queued = collect(
      app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 8 }, { signal: controller.signal }),
    );
    await eventually(() => app.scheduler.state().queued === 1);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    expect(app.scheduler.state().queued).toBe(0);
    await collect(running);
    unsubscribe();
    expect(starts).toHaveLength(1);
  });
});

describe("with --stream-interval 4", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--stream-interval", "4"] });
  });
  afterAll(async () => app?.close());

  test("text after the first event comes 4 tokens at a time, and every token is counted", async () => {
    const tokensPerEvent: number[] = [];
    const unsubscribe = app.scheduler.onEvent((event) => {
      if (event.type === "tokens") tokensPerEvent.push(event.count);
    });
    const events = await collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 33 }));
    unsubscribe();
    expect(finishedOf(events).usage.completionTokens).toBe(33);
    expect(tokensPerEvent.reduce((sum, count) => sum + count, 0)).toBe(33);
    expect(tokensPerEvent.length).toBeLessThanOrEqual(1 + 32 / 4);
    expect(tokensPerEvent.slice(1, -1).every((count) => count >= 4)).toBe(true);
  });
});
