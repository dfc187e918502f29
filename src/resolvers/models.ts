// Listing the served models, health, and the scheduler's state.
import type { ModelInfo } from "../inference/engine/loadedModel.js";
import type { RegistryStatus } from "../inference/modelRegistry.js";
import type { SchedulerState } from "../inference/scheduler/scheduler.js";
import type { InferenceDeps } from "./context.js";

export function listModels(deps: InferenceDeps): ModelInfo[] {
  return deps.registry.list().map((model) => model.info());
}

/** The model, or undefined when no model has that id. */
export function findModel(deps: InferenceDeps, id: string): ModelInfo | undefined {
  return deps.registry
    .list()
    .find((model) => model.id === id)
    ?.info();
}

export interface Health {
  status: RegistryStatus;
  models: string[];
  busySlots: number;
  queued: number;
}

export function health(deps: InferenceDeps): Health {
  const state = deps.scheduler.state();
  return {
    status: deps.registry.status,
    models: deps.registry.list().map((model) => model.id),
    busySlots: state.busySlots,
    queued: state.queued,
  };
}

export function schedulerState(deps: InferenceDeps): SchedulerState {
  return deps.scheduler.state();
}

/** Aborts a running or queued generation; false when no generation has that id. */
export function cancelGeneration(deps: InferenceDeps, id: string): boolean {
  return deps.scheduler.cancel(id);
}
