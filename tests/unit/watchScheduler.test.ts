// The scheduler feed behind `schedulerEvents` and tRPC's `scheduler.watch`: a reader that falls
// behind gets the newest state, never a backlog, and a feed that ends lets go of its signal and
// of the scheduler.
import { getEventListeners } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { expect, test } from "vitest";
import type { Scheduler, SchedulerEvent, SchedulerState } from "../../src/inference/scheduler/scheduler.js";
import { watchScheduler } from "../../src/resolvers/watchScheduler.js";

/** A scheduler whose state changes when the test says so. */
class ChangingScheduler implements Pick<Scheduler, "onEvent" | "state"> {
  readonly listeners = new Set<(event: SchedulerEvent) => void>();
  queued = 0;

  onEvent(listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): SchedulerState {
    return { models: [], busySlots: 0, totalSlots: 4, queued: this.queued };
  }

  change(): void {
    this.queued++;
    for (const listener of this.listeners) listener({ type: "queued", id: `g${this.queued}`, model: "tiny" });
  }
}

/** The states a reader gets without waiting for another change. */
async function readyStates(feed: AsyncIterator<SchedulerState>): Promise<SchedulerState[]> {
  const states: SchedulerState[] = [];
  for (;;) {
    const next = await Promise.race([feed.next(), nextTurn().then(() => "pending" as const)]);
    if (next === "pending" || next.done) return states;
    states.push(next.value);
  }
}

test("a reader that stops reading while 1,000 changes happen then gets the newest state, not a backlog", async () => {
  const scheduler = new ChangingScheduler();
  const feed = watchScheduler({ scheduler });
  expect((await feed.next()).value).toMatchObject({ queued: 0 });
  for (let change = 0; change < 1000; change++) {
    scheduler.change();
    await nextTurn();
  }
  const states = await readyStates(feed);
  expect(states.length).toBeGreaterThanOrEqual(1);
  expect(states.length).toBeLessThanOrEqual(2);
  expect(states.at(-1)).toMatchObject({ queued: 1000 });
  await feed.return?.();
});

test("a reader that keeps up gets each change", async () => {
  const scheduler = new ChangingScheduler();
  const feed = watchScheduler({ scheduler });
  expect((await feed.next()).value).toMatchObject({ queued: 0 });
  for (let change = 1; change <= 3; change++) {
    const next = feed.next();
    scheduler.change();
    expect((await next).value).toMatchObject({ queued: change });
  }
  await feed.return?.();
});

test("leaving the feed removes its abort listener and its scheduler listener", async () => {
  const scheduler = new ChangingScheduler();
  const controller = new AbortController();
  const feed = watchScheduler({ scheduler }, { signal: controller.signal });
  await feed.next();
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
  await feed.return?.();
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  expect(scheduler.listeners.size).toBe(0);
  expect(await feed.next()).toEqual({ value: undefined, done: true });
});

test("aborting the signal ends the feed, a pending read included, and lets go of the scheduler", async () => {
  const scheduler = new ChangingScheduler();
  const controller = new AbortController();
  const feed = watchScheduler({ scheduler }, { signal: controller.signal });
  await feed.next();
  const pending = feed.next();
  controller.abort();
  expect(await pending).toEqual({ value: undefined, done: true });
  expect(scheduler.listeners.size).toBe(0);
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
});

test("a signal aborted before the feed starts yields nothing and subscribes to nothing", async () => {
  const scheduler = new ChangingScheduler();
  const feed = watchScheduler({ scheduler }, { signal: AbortSignal.abort() });
  expect(await feed.next()).toEqual({ value: undefined, done: true });
  expect(scheduler.listeners.size).toBe(0);
});
