// The bench's round order: each round runs every target once, and no target always runs right after
// the same one (what a target leaves behind must not always fall on the same next target).
import { describe, expect, it } from "vitest";
import { roundOrder } from "../../bench/roundOrder.js";

/** The targets of a whole bench run with an out-of-the-box server, in the order the bench opens them. */
const TARGETS = ["direct", "graphql-ws", "graphql-sse", "trpc-sse", "openai-sse", "llama-server-t2", "ootb"];

describe("the order of a bench round's targets", () => {
  it("runs every target once a round, the same way in every run", () => {
    for (let round = 0; round < 8; round++) {
      const order = roundOrder(TARGETS, round);
      expect([...order].sort()).toEqual([...TARGETS].sort());
      expect(roundOrder(TARGETS, round)).toEqual(order);
    }
    expect(roundOrder([], 3)).toEqual([]);
  });

  it("puts each target after several different ones over a run's eight rounds", () => {
    const predecessors = new Map<string, Set<string>>();
    const sequence = Array.from({ length: 8 }, (_, round) => roundOrder(TARGETS, round)).flat();
    sequence.forEach((target, index) => {
      if (index > 0)
        predecessors.set(target, (predecessors.get(target) ?? new Set()).add(sequence[index - 1]));
    });
    // A rotation (each round starting one target later) gave graphql-sse one predecessor, graphql-ws,
    // in every round of every run.
    for (const target of TARGETS) expect(predecessors.get(target)?.size, target).toBeGreaterThanOrEqual(3);
  });
});
