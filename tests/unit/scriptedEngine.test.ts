// The scripted fake engine's own guard: the LoRA eviction tests rely on it failing loudly.
import { expect, test } from "vitest";
import type { SlotRun } from "../../src/inference/scheduler/scheduledModel.js";
import type { GenerationRequest } from "../../src/inference/types.js";
import { ScriptedEngine } from "../support/scriptedEngine.js";

function request(id: string, adapter: string): GenerationRequest {
  const lora = [{ name: adapter, scale: 1 }];
  return {
    id,
    model: "fake",
    prompt: { kind: "text", text: id },
    sampling: {},
    stop: [],
    lora,
    cachePrompt: true,
  };
}

/** A run that tells the engine no context is busy, whatever runs. */
function runClaimingNothingBusy(generation: GenerationRequest, slot: number): SlotRun {
  return {
    slot,
    contextKey: `${generation.lora[0].name}@1`,
    busyContextKeys: () => new Set<string>(),
    request: generation,
    signal: new AbortController().signal,
    deadline: Number.POSITIVE_INFINITY,
    queueMs: 0,
    streamInterval: 1,
  };
}

test("the scripted engine fails loudly when asked to evict a context a generation runs in", async () => {
  const engine = new ScriptedEngine();
  const model = engine.addModel("fake", { slots: 2, adapters: ["a", "b"], maxLoraContexts: 1 });
  const first = request("first", "a");
  const running = (await model.prepare(first)).generate(runClaimingNothingBusy(first, 0));
  await expect(running[Symbol.asyncIterator]().next()).resolves.toMatchObject({ value: { type: "started" } });
  const second = request("second", "b");
  const evicting = (await model.prepare(second)).generate(runClaimingNothingBusy(second, 1));
  await expect(evicting[Symbol.asyncIterator]().next()).rejects.toThrow(
    "asked to evict context 'a@1' while a generation runs in it",
  );
  expect(model.evictions).toEqual([]);
});
