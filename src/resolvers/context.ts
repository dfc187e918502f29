// What every resolver needs from the inference layer.
import type { ModelRegistry } from "../inference/modelRegistry.js";
import type { Scheduler } from "../inference/scheduler/scheduler.js";
import type { GenerationLimits } from "./generationLimits.js";

export interface InferenceDeps {
  registry: ModelRegistry;
  scheduler: Scheduler;
  /** The server's ceilings on one generation; absent: no token ceiling, the default message count. */
  limits?: GenerationLimits;
}
