// LoadedModel's side of the ScheduledModel seam: node-llama-cpp's preparation (prepareGeneration)
// and generation loop (generateOnSequence), with the slot's sequence taken once it is granted.

import type { PreparedRequest, SlotRun } from "../scheduler/scheduledModel.js";
import type { EngineEvent, GenerationRequest } from "../types.js";
import { generateOnSequence } from "./generateOnSequence.js";
import type { LoadedModel } from "./loadedModel.js";
import { type PreparedGeneration, prepareGeneration } from "./prepareGeneration.js";

export async function prepareRequest(
  model: LoadedModel,
  request: GenerationRequest,
): Promise<PreparedRequest> {
  const prepared = await prepareGeneration(model, request);
  return {
    prefix: prepared.promptTokens,
    promptTokens: prepared.promptTokens.length,
    generate: (run) => generateOnSlot(model, prepared, run),
  };
}

async function* generateOnSlot(
  model: LoadedModel,
  prepared: PreparedGeneration,
  run: SlotRun,
): AsyncGenerator<EngineEvent> {
  const { slot, contextKey, busyContextKeys, ...rest } = run;
  const openedAt = performance.now();
  const sequence = await model.sequence(contextKey, slot, busyContextKeys);
  // Creating the adapters' context (when it is new) is waiting too: it counts as queue time.
  const queueMs = run.queueMs + (performance.now() - openedAt);
  yield* generateOnSequence({ ...prepared, ...rest, model, slot, sequence, queueMs });
}
