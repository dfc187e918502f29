// Whether the server can serve: its models' loading state and how busy the scheduler is.
import type { RegistryStatus } from "../inference/modelRegistry.js";
import type { InferenceDeps } from "./context.js";

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
