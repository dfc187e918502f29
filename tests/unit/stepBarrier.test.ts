import { describe, expect, it } from "vitest";
import { StepBarrier } from "../../src/inference/engine/stepBarrier.js";

const live = () => new AbortController().signal;
const settled = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("the step barrier of a context's generations", () => {
  it("lets a generation alone through at once", async () => {
    const barrier = new StepBarrier();
    barrier.join(2);
    await expect(barrier.arrive(2, live())).resolves.toBeUndefined();
  });

  it("releases the members together once all have arrived, in sequence order", async () => {
    const barrier = new StepBarrier();
    for (const position of [0, 1, 2, 3]) barrier.join(position);
    const order: number[] = [];
    const arrivals = [3, 1, 0].map((position) =>
      barrier.arrive(position, live()).then(() => order.push(position)),
    );
    await settled();
    expect(order).toEqual([]);
    arrivals.push(barrier.arrive(2, live()).then(() => order.push(2)));
    await Promise.all(arrivals);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("stops waiting for a generation that ended", async () => {
    const barrier = new StepBarrier();
    for (const position of [0, 1]) barrier.join(position);
    let released = false;
    const waiting = barrier.arrive(0, live()).then(() => (released = true));
    await settled();
    expect(released).toBe(false);
    barrier.leave(1);
    await waiting;
    expect(released).toBe(true);
  });

  it("lets an aborted generation go without releasing the others", async () => {
    const barrier = new StepBarrier();
    for (const position of [0, 1, 2]) barrier.join(position);
    const controller = new AbortController();
    let otherReleased = false;
    const other = barrier.arrive(1, live()).then(() => (otherReleased = true));
    const aborted = barrier.arrive(0, controller.signal);
    controller.abort();
    await aborted;
    await settled();
    expect(otherReleased).toBe(false);
    barrier.leave(0);
    await barrier.arrive(2, live());
    await other;
    expect(otherReleased).toBe(true);
  });
});
