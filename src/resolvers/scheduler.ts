// The scheduler's state now, and cancelling a generation by id (watchScheduler.ts streams the state).
import type { SchedulerState } from "../inference/scheduler/scheduler.js";
import type { InferenceDeps } from "./context.js";

export function schedulerState(deps: InferenceDeps): SchedulerState {
  return deps.scheduler.state();
}

/** Aborts a running or queued generation; false when no generation has that id. */
export function cancelGeneration(deps: InferenceDeps, id: string): boolean {
  return deps.scheduler.cancel(id);
}
