import { expect, test } from "vitest";
import {
  nextChatPrefixHash,
  PrefixAffinity,
  promptPrefixHashes,
} from "../../src/inference/remote/prefixAffinity.js";

test("a prompt's prefix hashes are chained: a longer prompt starts with a shorter one's", () => {
  const messages = [
    { role: "system", content: "s" },
    { role: "user", content: "u" },
  ] as const;
  const short = promptPrefixHashes({ kind: "chat", tools: [], messages: messages.slice(0, 1) });
  const long = promptPrefixHashes({ kind: "chat", tools: [], messages });
  expect(long).toHaveLength(2);
  expect(long.slice(0, 1)).toEqual(short);
});

test("a chat's prefix hashes continue a message at a time from the shorter prompt's last", () => {
  const tools = [{ name: "lookup", description: "Looks up", parameters: { type: "object" } }];
  const messages = [
    { role: "system", content: "s" },
    { role: "user", content: "u" },
    { role: "assistant", content: "a", toolCalls: [] },
    { role: "user", content: "v" },
  ] as const;
  for (const withTools of [[], tools]) {
    const whole = promptPrefixHashes({ kind: "chat", tools: withTools, messages });
    const start = promptPrefixHashes({ kind: "chat", tools: withTools, messages: messages.slice(0, 2) });
    const next = nextChatPrefixHash(start.at(-1), messages[2]);
    expect([...start, next, nextChatPrefixHash(next, messages[3])]).toEqual(whole);
    expect(new Set(whole).size).toBe(whole.length);
  }
  expect(nextChatPrefixHash(undefined, messages[0])).toBe(
    promptPrefixHashes({ kind: "chat", tools: [], messages: messages.slice(0, 1) })[0],
  );
});

test("the longest served prefix names the replica", () => {
  const affinity = new PrefixAffinity(100);
  affinity.record([1, 2], 0);
  affinity.record([1, 2, 3], 1);
  expect(affinity.lookup([1, 2, 3, 4])).toBe(1);
  expect(affinity.lookup([1, 2, 5])).toBe(1); // 2 was recorded again with 1
  expect(affinity.lookup([9])).toBeUndefined();
});

test("beyond its capacity the least recently recorded hashes are forgotten first", () => {
  const affinity = new PrefixAffinity(4); // generations of 2 hashes
  affinity.record([1], 1);
  affinity.record([2], 2); // the first generation is full: 1 and 2 become the older one
  affinity.record([3], 3);
  affinity.record([1], 1); // 1 recorded again fills the newer generation (3, 1): 2 is forgotten
  affinity.record([4], 4);
  expect([1, 2, 3, 4].map((hash) => affinity.lookup([hash]))).toEqual([1, undefined, 3, 4]);
  affinity.record([5, 6], 5); // (4, 5) fill a generation: 3 and 1 are forgotten
  expect([1, 3, 4, 5, 6].map((hash) => affinity.lookup([hash]))).toEqual([undefined, undefined, 4, 5, 5]);
});

test("through heavy churn it never holds more than its capacity, remembers at least the newest half, and never names a stale replica", () => {
  const capacity = 1000;
  const affinity = new PrefixAffinity(capacity);
  // What was recorded last for each hash, in least-recently-recorded order.
  const reference = new Map<number, number>();
  let seed = 7;
  for (let step = 0; step < 20_000; step++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const hash = step % 3 === 0 ? seed % 1500 : 10_000 + step;
    affinity.record([hash], step % 5);
    reference.delete(hash);
    reference.set(hash, step % 5);
  }
  const recorded = [...reference];
  const newestHalf = recorded.slice(-capacity / 2);
  for (const [hash, replica] of newestHalf) expect(affinity.lookup([hash])).toBe(replica);
  let remembered = 0;
  for (const [hash, replica] of recorded) {
    const found = affinity.lookup([hash]);
    if (found === undefined) continue;
    remembered++;
    expect(found).toBe(replica);
  }
  expect(remembered).toBeLessThanOrEqual(capacity);
});
