// What every resolver needs from the inference layer.
import type { ModelRegistry } from "../inference/modelRegistry.js";
import type { Scheduler } from "../inference/scheduler/scheduler.js";

export interface InferenceDeps {
  registry: ModelRegistry;
  scheduler: Scheduler;
}
