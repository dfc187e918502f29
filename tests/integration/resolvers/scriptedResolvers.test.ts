// The resolvers over the scheduler and the scripted fake engine: the generation path from validated
// input to resolver events, without llama.cpp, each step at the test's command.
import { describe, expect, test } from "vitest";
import { OverloadedError } from "../../../src/errors.js";
import { ModelRegistry } from "../../../src/inference/modelRegistry.js";
import { Scheduler } from "../../../src/inference/scheduler/scheduler.js";
import { createResolvers } from "../../../src/resolvers/index.js";
import { collect, finishedOf } from "../../support/collect.js";
import { ScriptedEngine } from "../../support/scriptedEngine.js";

function resolversOnScriptedEngine(queueSize = 4) {
  const engine = new ScriptedEngine();
  engine.addModel("fake", { slots: 1 });
  const scheduler = new Scheduler(engine, { queueSize, requestTimeoutMs: 60_000 });
  // The generation resolvers take only the default model's id from the registry (never loaded here):
  // every generation goes through the scheduler, onto the fake.
  const registry = new ModelRegistry([{ id: "fake", path: "", adapters: new Map() }], {
    slots: 1,
    contextSize: 4096,
    batchSize: 512,
  });
  return { engine, scheduler, resolvers: createResolvers({ registry, scheduler }) };
}

async function firstEvent<T>(stream: AsyncIterator<T>): Promise<T> {
  const first = await stream.next();
  if (first.done) throw new Error("the stream ended before its first event");
  return first.value;
}

describe("resolvers on the scripted engine", () => {
  test("a streamed completion carries the scripted tokens and ends with stop and its usage", async () => {
    const { engine, resolvers } = resolversOnScriptedEngine();
    const stream = resolvers.streamCompletion({ prompt: "Hello", maxTokens: 8 });
    const started = await firstEvent(stream);
    expect(started).toMatchObject({ type: "started", promptTokens: 5, cachedPromptTokens: 0 });
    const { id } = started;
    engine.promptDone(id);
    engine.emit(id, "Hi");
    engine.emit(id, " there");
    engine.finish(id);
    const rest = await collect(stream);
    expect(rest.map((event) => event.type)).toEqual(["textDelta", "textDelta", "finished"]);
    expect(rest.at(-1)).toMatchObject({
      type: "finished",
      finishReason: "stop",
      text: "Hi there",
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
    });
  });

  test("a chat stream whose client goes away during prompt evaluation ends cancelled and frees its slot", async () => {
    const { engine, scheduler, resolvers } = resolversOnScriptedEngine();
    const client = new AbortController();
    const stream = resolvers.streamChatCompletion(
      { messages: [{ role: "user", content: "Say something." }], maxTokens: 8 },
      { signal: client.signal },
    );
    const started = await firstEvent(stream);
    await engine.waitingIn(started.id, "prompt");
    client.abort();
    const events = [started, ...(await collect(stream))];
    expect(finishedOf(events)).toMatchObject({ finishReason: "cancelled", usage: { completionTokens: 0 } });
    expect(scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  test("a completion refused by a full queue throws Overloaded from the resolver", async () => {
    const { engine, scheduler, resolvers } = resolversOnScriptedEngine(1);
    const running = resolvers.streamCompletion({ prompt: "Hello" });
    const { id } = await firstEvent(running);
    const queued = resolvers.streamCompletion({ prompt: "Hello again" });
    // A resolver stream asks the scheduler at its first read: this one queues now.
    const queuedStart = firstEvent(queued);
    const refused = collect(resolvers.streamCompletion({ prompt: "Hello once more" }));
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    expect(scheduler.state()).toMatchObject({ busySlots: 1, queued: 1 });
    engine.promptDone(id);
    engine.finish(id);
    expect((await collect(running)).at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
    // The queued one takes the slot the first one freed.
    const next = await queuedStart;
    engine.promptDone(next.id);
    engine.finish(next.id);
    expect((await collect(queued)).at(-1)).toMatchObject({ type: "finished", finishReason: "stop" });
  });
});
