// Admission: refuse first, then work. A full queue answers before the prompt is rendered or its
// grammar compiled; a queued request that turns out invalid leaves without taking a slot; a request
// that waits in the queue until its timeout is told so.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { RunningInferql } from "../../../src/app.js";
import { InvalidInputError, OverloadedError } from "../../../src/errors.js";
import type { LoadedModel } from "../../../src/inference/engine/loadedModel.js";
import { collect, eventually, finishedOf } from "../../support/collect.js";
import { startTestServer } from "../../support/startTestServer.js";

const hello = [{ role: "user" as const, content: "Say something." }];

describe("with 1 slot and a queue of 1", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "1", "--queue", "1"] });
  });
  afterAll(async () => app?.close());
  afterEach(() => vi.restoreAllMocks());

  /** Holds the slot and fills the queue; returns the two streams' completions. */
  async function saturate() {
    const running = app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 400 });
    await running.next();
    const queued = collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 4 }));
    await eventually(() => app.scheduler.state().queued === 1);
    return Promise.all([collect(running), queued]);
  }

  test("a full queue refuses with Overloaded before rendering the prompt or compiling its grammar", async () => {
    const done = saturate();
    await eventually(() => app.scheduler.state().queued === 1);
    const render = vi.spyOn((app.registry.get("tiny") as LoadedModel).chatFormat, "render");
    // Invalid twice over (a GBNF grammar that does not compile): only a check that ran would say so.
    const refused = collect(
      app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 4, grammar: "root ::= (" }),
    );
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ reason: "queueFull", retryAfterSeconds: 1 });
    expect(render).not.toHaveBeenCalled();
    await done;
  });

  test("a queued request whose prompt is too long leaves the queue with InvalidInput and never takes a slot", async () => {
    const running = app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 300 });
    await running.next();
    const starts: string[] = [];
    const unsubscribe = app.scheduler.onEvent((event) => {
      if (event.type === "started") starts.push(event.id);
    });
    const tooLong = [{ role: "user" as const, content: "many words here ".repeat(800) }];
    await expect(
      collect(app.resolvers.streamChatCompletion({ messages: tooLong, maxTokens: 4 })),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(app.scheduler.state()).toMatchObject({ busySlots: 1, queued: 0 });
    // Its place is free again: the next request queues, and takes the slot after the running one.
    const next = collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 4 }));
    await eventually(() => app.scheduler.state().queued === 1);
    await collect(running);
    expect(finishedOf(await next).usage.completionTokens).toBe(4);
    unsubscribe();
    expect(starts).toHaveLength(1);
    expect(app.scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });
});

describe("with 1 slot and --request-timeout 1", () => {
  let app: RunningInferql;
  beforeAll(async () => {
    app = await startTestServer({ flags: ["--slots", "1", "--request-timeout", "1"] });
  });
  afterAll(async () => app?.close());
  afterEach(() => vi.restoreAllMocks());

  test("a request that waits in the queue until its timeout gets a 429 that says it waited too long", async () => {
    // The slot stays taken past the queued request's deadline: the first request's sequence takes 1.5 s to come.
    const model = app.registry.get("tiny") as LoadedModel;
    const sequence = model.sequence.bind(model);
    vi.spyOn(model, "sequence").mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return sequence(...args);
    });
    const holding = collect(app.resolvers.streamChatCompletion({ messages: hello, maxTokens: 2 }));
    await eventually(() => app.scheduler.state().busySlots === 1);

    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "tiny", messages: hello, max_tokens: 2 }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    const { error } = (await response.json()) as { error: { message: string; code: string } };
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.message).toMatch(/waited in the queue for a free slot until its request timeout/);
    await holding;
  });
});
