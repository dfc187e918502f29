// What every resolver needs from the inference layer.
import type { ModelRegistry } from "../inference/modelRegistry.js";
import type { Scheduler } from "../inference/scheduler/scheduler.js";
import type { RequestOrigin } from "../inference/types.js";
import type { Fleet } from "./fleet.js";
import type { GenerationLimits } from "./generationLimits.js";

export interface InferenceDeps {
  registry: ModelRegistry;
  scheduler: Scheduler;
  /** The server's ceilings on one generation; absent: no token ceiling, the default message count. */
  limits?: GenerationLimits;
  /** This node's id in the scheduler's state (ModelSchedulerState.nodeId). */
  nodeId?: string;
  /** The other nodes sharing state with this one (`--redis`); absent on a single node. */
  fleet?: Fleet;
}

export type { RequestOrigin };

/** What a transport passes with a generation (or a scheduler operation) besides its input. */
export interface GenerationCall {
  /** Aborts the generation: the client went away, or its subscription was disposed. */
  signal?: AbortSignal;
  /**
   * The request that asked for it, named in the generation's log line; its API key (`caller`) owns
   * the generation and decides which generations a scheduler operation may see and cancel.
   */
  origin?: RequestOrigin;
}
