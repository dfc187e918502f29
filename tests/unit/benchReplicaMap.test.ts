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
    expect(visited).toEqual([...reference]);
    expect([...map]).toEqual([...reference]);
    expect(map.size).toBe(reference.size);
    expect(map.get(replica)).toBe(reference.get(replica));
    expect(map.has(replica)).toBe(reference.has(replica));
  }
});
