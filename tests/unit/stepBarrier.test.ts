import { describe, expect, it } from "vitest";
import { StepBarrier } from "../../src/inference/engine/stepBarrier.js";

const live = () => new AbortController().signal;
const settled = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("the step barrier of a context's generations", () => {
  it("lets a generation alone through at once", async () => {
    const barrier = new StepBarrier();
    barrier.join(2, live());
    await expect(barrier.arrive(2)).resolves.toBeUndefined();
  });

  it("releases the members together once all have arrived, in sequence order", async () => {
    const barrier = new StepBarrier();
    for (const position of [0, 1, 2, 3]) barrier.join(position, live());
    const order: number[] = [];
    const arrivals = [3, 1, 0].map((position) => barrier.arrive(position).then(() => order.push(position)));
    await settled();
    expect(order).toEqual([]);
    arrivals.push(barrier.arrive(2).then(() => order.push(2)));
    await Promise.all(arrivals);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("stops waiting for a generation that ended", async () => {
    const barrier = new StepBarrier();
    for (const position of [0, 1]) barrier.join(position, live());
    let released = false;
    const waiting = barrier.arrive(0).then(() => (released = true));
    await settled();
    expect(released).toBe(false);
    barrier.leave(1);
    await waiting;
    expect(released).toBe(true);
  });

  it("lets an aborted generation go without releasing the others", async () => {
    const barrier = new StepBarrier();
    const controller = new AbortController();
    barrier.join(0, controller.signal);
    for (const position of [1, 2]) barrier.join(position, live());
    let otherReleased = false;
    const other = barrier.arrive(1).then(() => (otherReleased = true));
    const aborted = barrier.arrive(0);
    controller.abort();
    await aborted;
    await settled();
    expect(otherReleased).toBe(false);
    // Its next step does not wait either, and the others wait for it until it leaves.
    await barrier.arrive(0);
    await settled();
    expect(otherReleased).toBe(false);
    barrier.leave(0);
    await barrier.arrive(2);
    await other;
    expect(otherReleased).toBe(true);
  });

  it("keeps one abort listener per generation, however many steps it takes, and drops it when it leaves", async () => {
    const barrier = new StepBarrier();
    const signals = [0, 1].map(() => new AbortController().signal);
    const listeners = signals.map(() => 0);
    signals.forEach((signal, position) => {
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = (...args: Parameters<typeof add>) => {
        listeners[position]++;
        add(...args);
      };
      signal.removeEventListener = (...args: Parameters<typeof remove>) => {
        listeners[position]--;
        remove(...args);
      };
      barrier.join(position, signal);
    });
    for (let step = 0; step < 3; step++) await Promise.all([barrier.arrive(0), barrier.arrive(1)]);
    expect(listeners).toEqual([1, 1]);
    barrier.leave(0);
    barrier.leave(1);
    expect(listeners).toEqual([0, 0]);
  });
});
