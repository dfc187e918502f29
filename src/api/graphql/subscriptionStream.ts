// Adapts a resolver's event stream to a GraphQL subscription source:
// - `return()` (client completed or disposed the subscription, SSE or WebSocket closed) aborts the
//   generation at once, even while the resolver's generator is suspended waiting for its next
//   event (an async generator would queue the return behind that wait and keep the slot busy);
// - the context's signal (client gone) aborts it too;
// - an error thrown by the stream becomes a final `StreamFailure` item, which the subscription
//   field's `resolve` rethrows, so the client receives it as a GraphQL error with its code instead
//   of the transport tearing down the connection.
// The source is also registered under its operation's context, with a way to hand an event back:
// plannedSubscriptionEvents.ts reads the events itself and gives the executor only those it does
// not project.

import type { GenerationCall } from "../../resolvers/index.js";
import type { GraphqlContext } from "./context.js";

export class StreamFailure {
  constructor(readonly error: unknown) {}
}

export interface SubscriptionSource<Event> extends AsyncIterableIterator<Event | StreamFailure> {
  /** Hands back an item already read: the next `next()` returns it again, before anything new. */
  replay(item: Event | StreamFailure): void;
}

/** The source each operation's context started last, until plannedSubscriptionEvents.ts takes it. */
const sourcesByContext = new WeakMap<object, SubscriptionSource<unknown>>();

/** The source the subscription resolver started with this context, once (undefined if none or taken). */
export function takeSubscriptionSource(context: object): SubscriptionSource<unknown> | undefined {
  const source = sourcesByContext.get(context);
  sourcesByContext.delete(context);
  return source;
}

/**
 * Starts the stream as the operation's call (its origin, and a signal that aborts when the
 * subscription ends or the client, the context's signal, goes away). `start` runs synchronously, so
 * input the resolver rejects at call time throws from here.
 */
export function subscriptionSource<Event>(
  context: Pick<GraphqlContext, "signal" | "origin">,
  start: (call: GenerationCall) => AsyncIterator<Event>,
): SubscriptionSource<Event> {
  const clientSignal = context.signal;
  const controller = new AbortController();
  const source = start({ signal: controller.signal, origin: context.origin });
  const abort = () => controller.abort();
  if (clientSignal.aborted) abort();
  else clientSignal.addEventListener("abort", abort, { once: true });
  let finished = false;
  /** Items handed back by `replay`, oldest first. */
  const replayed: (Event | StreamFailure)[] = [];

  const finish = (): IteratorResult<Event | StreamFailure> => {
    if (!finished) {
      finished = true;
      clientSignal.removeEventListener("abort", abort);
      controller.abort();
    }
    return { done: true, value: undefined };
  };

  const stream: SubscriptionSource<Event> = {
    async next() {
      // A handed-back item comes first, even the StreamFailure that finished the stream.
      if (replayed.length > 0) return { done: false, value: replayed.shift() as Event | StreamFailure };
      if (finished) return { done: true, value: undefined };
      try {
        const result = await source.next();
        if (finished) return { done: true, value: undefined };
        return result.done ? finish() : result;
      } catch (error) {
        if (finished) return { done: true, value: undefined };
        finish();
        return { done: false, value: new StreamFailure(error) };
      }
    },
    async return() {
      const wasFinished = finished;
      finish();
      // Not awaited: a generator's return waits for its pending next; the abort above already freed the slot.
      if (!wasFinished) source.return?.()?.catch(() => undefined);
      return { done: true, value: undefined };
    },
    replay(item) {
      replayed.push(item);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  sourcesByContext.set(context, stream as SubscriptionSource<unknown>);
  return stream;
}

/** For a subscription field's `resolve`: the event itself, or the stream's error thrown as the field's error. */
export function eventOrThrow<Event>(item: Event | StreamFailure): Event {
  if (item instanceof StreamFailure) throw item.error;
  return item;
}
