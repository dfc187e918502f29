// The scheduler's state now, and cancelling a generation by id (watchScheduler.ts streams the state).
import type { Scheduler, SchedulerState } from "../inference/scheduler/scheduler.js";
import type { GenerationCall, InferenceDeps } from "./context.js";

/** What reading and watching the state need of the scheduler: its state and its changes. */
export interface WatchedScheduler {
  scheduler: Pick<Scheduler, "onEvent" | "state">;
}

export function schedulerState(deps: WatchedScheduler, _call: GenerationCall = {}): SchedulerState {
  return deps.scheduler.state();
}

/** Aborts a running or queued generation; false when no generation has that id. */
export function cancelGeneration(deps: InferenceDeps, id: string, _call: GenerationCall = {}): boolean {
  return deps.scheduler.cancel(id);
}
