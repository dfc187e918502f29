// A live view of the scheduler: its state now, then again after every change (queued, started,
// finished; with a fleet, also another node's). Changes are not queued: a reader gets the state as
// it is when it reads, so one that falls behind gets the newest state once, never a backlog, and a
// stalled reader holds nothing.
import type { GenerationCall } from "./context.js";
import { type FleetSchedulerState, schedulerState, type WatchedScheduler } from "./scheduler.js";

export function watchScheduler(
  deps: WatchedScheduler,
  { signal, origin }: GenerationCall = {},
): AsyncIterableIterator<FleetSchedulerState> {
  /** Whether the state changed since the reader last got it (the first read gets the state now). */
  let changed = true;
  let ended = false;
  const waitingReaders: (() => void)[] = [];
  const wake = () => {
    for (const resolve of waitingReaders.splice(0)) resolve();
  };
  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    unsubscribeFleet?.();
    signal?.removeEventListener("abort", end);
    wake();
  };
  const unsubscribe = deps.scheduler.onEvent((event) => {
    // Tokens and a request's arrival (before it is admitted) leave the slots and queues as they were.
    if (event.type === "tokens" || event.type === "received") return;
    changed = true;
    wake();
  });
  // Other nodes' states (with a fleet) arrive already coalesced by the node that published them.
  const unsubscribeFleet = deps.fleet?.onChange(() => {
    changed = true;
    wake();
  });
  if (signal?.aborted) end();
  else signal?.addEventListener("abort", end, { once: true });

  const done = (): IteratorResult<FleetSchedulerState> => ({ value: undefined, done: true });
  return {
    async next() {
      // The state is read a turn after the change that woke the reader, so a burst of changes yields one state.
      while (!ended && !changed) await new Promise<void>((resolve) => waitingReaders.push(resolve));
      if (ended) return done();
      changed = false;
      return { value: schedulerState(deps, { origin }), done: false };
    },
    async return() {
      end();
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
