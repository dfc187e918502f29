import { expect, test } from "vitest";
import { promptPrefixHashes } from "../../src/inference/remote/prefixAffinity.js";
import { affinityCapacityFor, ReplicaRouter } from "../../src/inference/remote/replicaRouter.js";
import type { ChatPromptMessage } from "../../src/inference/types.js";

const chat = (...contents: string[]) =>
  promptPrefixHashes({
    kind: "chat",
    tools: [],
    messages: contents.map(
      (content, index): ChatPromptMessage =>
        index === 0 ? { role: "system", content } : { role: "user", content },
    ),
  });
/** "replica:free …": the candidate replicas, in this order, with their free slots. */
const candidates = (spec: string) =>
  new Map(spec.split(" ").map((pair) => pair.split(":").map(Number) as [number, number]));
/** Every replica of `count` with `slots` free slots, in index order. */
const allFree = (count: number, slots: number) =>
  new Map(Array.from({ length: count }, (_, replica) => [replica, slots]));

test("with no candidate there is no replica", () => {
  expect(new ReplicaRouter({ replicas: 8, slotsPerReplica: 2 }).pick(new Map(), chat("a"))).toBeUndefined();
});

test("equally loaded replicas take turns, the first never chosen first", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 2 });
  const picks = Array.from({ length: 6 }, () => router.pick(allFree(3, 2)));
  expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
});

test("least outstanding: the replica running the fewest requests wins over one chosen longer ago", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 4 });
  expect(router.pick(candidates("0:1 1:3 2:2"))).toBe(1);
  // 1 was just chosen, but it still runs fewer than the others.
  expect(router.pick(candidates("0:2 1:3 2:2"))).toBe(1);
  // Equal load: the one chosen longest ago; 0 and 2 never were, and the first in the map's order wins.
  expect(router.pick(candidates("2:3 0:3 1:3"))).toBe(2);
});

test("a follow-up goes to the replica that served its longest prefix, even when it is busier", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 4 });
  const first = router.pick(allFree(3, 4), chat("system", "hello"));
  expect(first).toBe(0);
  // The other replicas are idle, 0 runs three requests: affinity still holds while 0 has a free slot.
  expect(router.pick(candidates("0:1 1:4 2:4"), chat("system", "hello", "and then?"))).toBe(0);
});

test("a full affinity replica is passed over for the least loaded, and the prefix follows the request", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 2 });
  expect(router.pick(allFree(3, 2), chat("system", "a"))).toBe(0);
  // 0 is full (not a candidate): least loaded among 1 and 2.
  expect(router.pick(candidates("1:1 2:2"), chat("system", "a", "b"))).toBe(2);
  // The conversation now lives on 2 (its longest prefix was recorded there).
  expect(router.pick(allFree(3, 2), chat("system", "a", "b", "c"))).toBe(2);
});

test("a shared system prompt goes where it was served last", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 4 });
  router.pick(allFree(3, 4), chat("other", "x"));
  expect(router.pick(allFree(3, 4), chat("shared", "first user"))).toBe(1);
  expect(router.pick(allFree(3, 4), chat("shared", "second user"))).toBe(1);
});

test("without a prefix (no prompt cache) affinity is neither used nor recorded", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 4 });
  expect(router.pick(allFree(2, 4))).toBe(0);
  expect(router.pick(allFree(2, 4), chat("s", "u"))).toBe(1);
  // Served on 1 with a prefix: a request without one ignores it and takes turns.
  expect(router.pick(allFree(2, 4))).toBe(0);
  expect(router.pick(allFree(2, 4), chat("s", "u", "v"))).toBe(1);
});

test("with a balance threshold, affinity gives way to a replica that much less loaded", () => {
  const router = new ReplicaRouter({ replicas: 8, slotsPerReplica: 8, balanceThreshold: 2 });
  expect(router.pick(allFree(2, 8), chat("s", "u"))).toBe(0);
  // 0 runs 2 more than 1: within the threshold.
  expect(router.pick(candidates("0:6 1:8"), chat("s", "u", "v"))).toBe(0);
  // 0 runs 3 more: the least loaded replica takes it, and the conversation moves there.
  expect(router.pick(candidates("0:5 1:8"), chat("s", "u", "v", "w"))).toBe(1);
  expect(router.pick(allFree(2, 8), chat("s", "u", "v", "w", "x"))).toBe(1);
});

test("affinityCapacity bounds the prefixes remembered: a forgotten conversation goes to the least loaded", () => {
  const pickFollowUp = (router: ReplicaRouter) => {
    expect(router.pick(allFree(2, 4), chat("a", "first"))).toBe(0);
    expect(router.pick(allFree(2, 4), chat("b", "other"))).toBe(1);
    return router.pick(candidates("0:3 1:4"), chat("a", "first", "again"));
  };
  expect(pickFollowUp(new ReplicaRouter({ replicas: 8, slotsPerReplica: 4 }))).toBe(0);
  // Two hashes: "b" and "b, other" pushed out "a" and "a, first".
  expect(pickFollowUp(new ReplicaRouter({ replicas: 8, slotsPerReplica: 4, affinityCapacity: 2 }))).toBe(1);
});

test("the affinity table grows with the fleet: 1,000 prefix hashes a replica, at least 50,000", () => {
  expect(affinityCapacityFor(2)).toBe(50_000);
  expect(affinityCapacityFor(512)).toBe(512_000);
});
