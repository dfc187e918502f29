// The scheduler's state now, and cancelling a generation by id (watchScheduler.ts streams the state).
// Tenancy: an API key sees the ids of, and may cancel, only the generations it started; an admin
// key, a server without API keys (one user) and in-process calls (no origin) see and cancel all.
import type { OwnerScope, Scheduler, SchedulerState } from "../inference/scheduler/scheduler.js";
import type { GenerationCall } from "./context.js";

/** What reading and watching the state need of the scheduler: its state and its changes. */
export interface WatchedScheduler {
  scheduler: Pick<Scheduler, "onEvent" | "state">;
}

/** The generations a call may see by id and cancel: its own key's, or all (no scope). */
export function ownerScopeOf({ origin }: GenerationCall): OwnerScope | undefined {
  const caller = origin?.caller;
  return caller === undefined || caller.admin ? undefined : { ownerKeyId: caller.keyId };
}

/** Slots busy and free for everyone; the ids of running generations only for those who may see them. */
export function schedulerState(deps: WatchedScheduler, call: GenerationCall = {}): SchedulerState {
  return deps.scheduler.state(ownerScopeOf(call));
}

/** Aborts a running or queued generation; false when no generation has that id that this caller started. */
export function cancelGeneration(
  deps: { scheduler: Pick<Scheduler, "cancel"> },
  id: string,
  call: GenerationCall = {},
): boolean {
  return deps.scheduler.cancel(id, ownerScopeOf(call));
}
