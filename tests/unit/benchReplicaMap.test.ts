import { expect, test } from "vitest";
import { ReplicaMap } from "../../bench/replicaMap.js";
import { mulberry32 } from "../../src/inference/gguf/seededRandom.js";

test("the routing simulation's replica map holds and orders its entries as a Map does", () => {
  const random = mulberry32(7);
  const replicas = 16;
  const map = new ReplicaMap(replicas);
  const reference = new Map<number, number>();
  for (let step = 0; step < 2_000; step++) {
    const replica = Math.floor(random() * replicas);
    if (random() < 0.4) expect(map.delete(replica)).toBe(reference.delete(replica));
    else {
      map.set(replica, step);
      reference.set(replica, step);
    }
    const visited: [number, number][] = [];
    map.forEach((value, key) => {
      visited.push([key, value]);
    });
    const seen = {
      visited,
      iterated: [...map],
      size: map.size,
      got: map.get(replica),
      has: map.has(replica),
    };
    const expected = {
      visited: [...reference],
      iterated: [...reference],
      size: reference.size,
      got: reference.get(replica),
      has: reference.has(replica),
    };
    // Compared as text first: five expects a step, 2,000 steps, took most of this test's time.
    if (JSON.stringify(seen) !== JSON.stringify(expected))
      expect(seen, `after step ${step}`).toEqual(expected);
  }
});
