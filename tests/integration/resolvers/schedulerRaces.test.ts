// Scheduler races at exact points, on the scripted fake engine instead of llama.cpp's timing: each
// generation evaluates its prompt and makes each token only when the test says so.
import { afterEach, describe, expect, test, vi } from "vitest";
import { CancelledError, OverloadedError } from "../../../src/errors.js";
import {
  Scheduler,
  type SchedulerEvent,
  type SchedulerOptions,
} from "../../../src/inference/scheduler/scheduler.js";
import type { EngineEvent, GenerationRequest } from "../../../src/inference/types.js";
import { collect } from "../../support/collect.js";
import { ScriptedEngine, type ScriptedModelOptions } from "../../support/scriptedEngine.js";

function request(id: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    id,
    model: "fake",
    prompt: { kind: "text", text: `The prompt of ${id}.` },
    sampling: {},
    stop: [],
    lora: [],
    cachePrompt: true,
    ...overrides,
  };
}

/** One model "fake" (and any more) on the scripted engine, under a scheduler. */
function schedule(
  model: ScriptedModelOptions,
  options: Partial<SchedulerOptions> = {},
  moreModels: string[] = [],
) {
  const engine = new ScriptedEngine();
  const fake = engine.addModel("fake", model);
  for (const id of moreModels) engine.addModel(id, model);
  const scheduler = new Scheduler(engine, { queueSize: 4, requestTimeoutMs: 60_000, ...options });
  return { engine, fake, scheduler };
}

/** Lets every pending promise chain run to its next wait (no time passes: a turn of the event loop). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function finishedOf(events: EngineEvent[]): EngineEvent & { type: "finished" } {
  const last = events.at(-1);
  if (last?.type !== "finished") throw new Error(`no finished event last: ${JSON.stringify(last)}`);
  return last;
}

/** Runs generation `id` to its end: its prompt, one token per text, then its end-of-generation token. */
function runToEnd(engine: ScriptedEngine, id: string, texts: string[] = ["ok"]): void {
  engine.promptDone(id);
  for (const text of texts) engine.emit(id, text);
  engine.finish(id);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("slot handover", () => {
  test("a slot granted and its request aborted in the same tick is released, and the next waiter gets it", async () => {
    const { engine, scheduler } = schedule({ slots: 1 });
    const abortB = new AbortController();
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b"), abortB.signal));
    const c = collect(scheduler.generate(request("c")));
    await engine.waitingIn("a", "prompt");
    await settled();
    expect(scheduler.state()).toMatchObject({ busySlots: 1, queued: 2 });
    // The scheduler releases a's slot (granting it to b) and reports a finished in one synchronous
    // step: aborting b from that report aborts it in the very tick it was granted the slot.
    scheduler.onEvent((event) => {
      if (event.type === "finished" && event.id === "a") abortB.abort();
    });
    runToEnd(engine, "a");
    expect(finishedOf(await a).reason).toBe("stop");
    expect(finishedOf(await b)).toMatchObject({ reason: "cancelled", usage: { completionTokens: 0 } });
    await engine.waitingIn("c", "prompt");
    expect(scheduler.state().models[0].slots).toEqual([
      { index: 0, busy: true, requestId: "c", cachedTokens: expect.any(Number) },
    ]);
    runToEnd(engine, "c");
    expect(finishedOf(await c).reason).toBe("stop");
    expect(scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  test("a request aborted while queued never takes the slot a release frees", async () => {
    const { engine, scheduler } = schedule({ slots: 1 });
    const abortB = new AbortController();
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b"), abortB.signal));
    const c = collect(scheduler.generate(request("c")));
    await engine.waitingIn("a", "prompt");
    await settled();
    abortB.abort();
    await expect(b).rejects.toBeInstanceOf(CancelledError);
    expect(scheduler.state()).toMatchObject({ busySlots: 1, queued: 1 });
    runToEnd(engine, "a");
    runToEnd(engine, "c");
    await Promise.all([a, c]);
    expect(engine.generations).toEqual(["a", "c"]);
    expect(scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });

  test("cancelling a generation during its prompt evaluation frees the slot for the next queued request", async () => {
    const { engine, scheduler } = schedule({ slots: 1 });
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b")));
    await engine.waitingIn("a", "prompt");
    expect(scheduler.cancel("a")).toBe(true);
    expect(finishedOf(await a)).toMatchObject({ reason: "cancelled", usage: { completionTokens: 0 } });
    await engine.waitingIn("b", "prompt");
    expect(scheduler.state().models[0].slots[0]).toMatchObject({ busy: true, requestId: "b" });
    runToEnd(engine, "b", ["x", "y"]);
    expect(finishedOf(await b)).toMatchObject({ reason: "stop", usage: { completionTokens: 2 } });
  });

  test("cancel(id) of a generation that has finished is false", async () => {
    const { engine, scheduler } = schedule({ slots: 1 });
    runToEnd(engine, "a");
    await collect(scheduler.generate(request("a")));
    expect(scheduler.cancel("a")).toBe(false);
    expect(scheduler.cancel("never-asked-for")).toBe(false);
  });
});

describe("request timeout", () => {
  test("a request that waits in the queue past its timeout is refused with Overloaded (queueTimeout)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { engine, scheduler } = schedule({ slots: 1 }, { requestTimeoutMs: 1000 });
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b")));
    await engine.waitingIn("a", "prompt");
    vi.advanceTimersByTime(999);
    expect(scheduler.state().queued).toBe(1);
    vi.advanceTimersByTime(1);
    await expect(b).rejects.toBeInstanceOf(OverloadedError);
    await expect(b).rejects.toMatchObject({ reason: "queueTimeout" });
    // The running request's deadline has passed too: its prompt evaluation ends it with "timeout".
    engine.promptDone("a");
    expect(finishedOf(await a)).toMatchObject({ reason: "timeout", usage: { completionTokens: 0 } });
    expect(engine.generations).toEqual(["a"]);
  });

  test("a generation whose timeout passes while it generates ends with finish reason timeout", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { engine, scheduler } = schedule({ slots: 1 }, { requestTimeoutMs: 1000 });
    const a = collect(scheduler.generate(request("a")));
    engine.promptDone("a");
    engine.emit("a", "one");
    await engine.waitingIn("a", "tokens");
    vi.advanceTimersByTime(999);
    engine.emit("a", " two");
    await engine.waitingIn("a", "tokens");
    vi.advanceTimersByTime(1);
    engine.emit("a", " three");
    const events = await a;
    expect(events.flatMap((event) => (event.type === "text" ? [event.text] : []))).toEqual([
      "one",
      " two",
      " three",
    ]);
    expect(finishedOf(events)).toMatchObject({ reason: "timeout", usage: { completionTokens: 3 } });
    expect(scheduler.state()).toMatchObject({ busySlots: 0, queued: 0 });
  });
});

describe("LoRA contexts", () => {
  const adapters = ["a", "b", "c", "d", "e"];
  const withAdapter = (id: string, adapter: string) => request(id, { lora: [{ name: adapter, scale: 1 }] });

  test("making room for a new adapter context never evicts one a running generation uses", async () => {
    const { engine, fake, scheduler } = schedule({ slots: 3, adapters, maxLoraContexts: 2 });
    const withA = collect(scheduler.generate(withAdapter("with-a", "a")));
    const withB = collect(scheduler.generate(withAdapter("with-b", "b")));
    await Promise.all([engine.waitingIn("with-a", "prompt"), engine.waitingIn("with-b", "prompt")]);
    // Both adapter contexts are in use: the third is created beyond the bound rather than evict one.
    const withC = collect(scheduler.generate(withAdapter("with-c", "c")));
    await engine.waitingIn("with-c", "prompt");
    expect(fake.evictions).toEqual([]);
    expect(fake.contextKeys).toEqual(["", "a@1", "b@1", "c@1"]);

    runToEnd(engine, "with-a");
    await withA;
    const withD = collect(scheduler.generate(withAdapter("with-d", "d")));
    await engine.waitingIn("with-d", "prompt");
    expect(fake.evictions).toEqual(["a@1"]);
    expect(fake.contextKeys).toEqual(["", "b@1", "c@1", "d@1"]);

    for (const id of ["with-b", "with-c", "with-d"]) runToEnd(engine, id);
    await Promise.all([withB, withC, withD]);
    // Nothing runs now: the oldest idle contexts make room, down to the bound.
    const withE = collect(scheduler.generate(withAdapter("with-e", "e")));
    runToEnd(engine, "with-e");
    expect(finishedOf(await withE).reason).toBe("stop");
    expect(fake.evictions).toEqual(["a@1", "b@1", "c@1"]);
    expect(fake.contextKeys).toEqual(["", "d@1", "e@1"]);
  });
});

describe("lanes", () => {
  test("two models have independent lanes: a full queue on one does not refuse the other", async () => {
    const { engine, scheduler } = schedule({ slots: 1 }, { queueSize: 1 }, ["other"]);
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b")));
    await engine.waitingIn("a", "prompt");
    const refused = collect(scheduler.generate(request("c")));
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ reason: "queueFull" });
    const d = collect(scheduler.generate(request("d", { model: "other" })));
    await engine.waitingIn("d", "prompt");
    expect(scheduler.state().models).toMatchObject([
      { model: "fake", busySlots: 1, queued: 1, queueCapacity: 1 },
      { model: "other", busySlots: 1, queued: 0, queueCapacity: 1 },
    ]);
    for (const id of ["d", "a", "b"]) runToEnd(engine, id);
    const finished = await Promise.all([a, b, d]);
    expect(finished.map((events) => finishedOf(events).reason)).toEqual(["stop", "stop", "stop"]);
  });
});

describe("scheduler events", () => {
  test("each generation reports received, queued (when it waits), started, tokens, finished in that order", async () => {
    const { engine, scheduler } = schedule({ slots: 1 });
    const events = new Map<string, SchedulerEvent["type"][]>();
    scheduler.onEvent((event) => events.set(event.id, [...(events.get(event.id) ?? []), event.type]));
    const a = collect(scheduler.generate(request("a")));
    const b = collect(scheduler.generate(request("b")));
    await engine.waitingIn("a", "prompt");
    await settled();
    runToEnd(engine, "a", ["x", "y"]);
    runToEnd(engine, "b", ["z"]);
    await Promise.all([a, b]);
    expect(events.get("a")).toEqual(["received", "started", "tokens", "tokens", "finished"]);
    expect(events.get("b")).toEqual(["received", "queued", "started", "tokens", "finished"]);
  });
});
