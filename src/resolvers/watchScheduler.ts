// A live view of the scheduler: its state now, then again after every change (queued, started,
// finished), coalesced so a burst of changes yields one state.
import { EventChannel } from "../inference/scheduler/eventChannel.js";
import type { SchedulerState } from "../inference/scheduler/scheduler.js";
import type { InferenceDeps } from "./context.js";

export function watchScheduler(
  deps: InferenceDeps,
  signal?: AbortSignal,
): AsyncIterableIterator<SchedulerState> {
  let scheduled = false;
  const stop = () => {
    unsubscribe();
    channel.end();
  };
  const channel = new EventChannel<SchedulerState>(() => unsubscribe());
  const unsubscribe = deps.scheduler.onEvent((event) => {
    // Tokens and a request's arrival (before it is admitted) leave the slots and queues as they were.
    if (event.type === "tokens" || event.type === "received" || scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      channel.push(deps.scheduler.state());
    });
  });
  channel.push(deps.scheduler.state());
  signal?.addEventListener("abort", stop, { once: true });
  return channel;
}
