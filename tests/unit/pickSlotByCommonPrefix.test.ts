import type { Token } from "node-llama-cpp";
import { expect, test } from "vitest";
import { pickSlotByCommonPrefix } from "../../src/inference/scheduler/pickSlotByCommonPrefix.js";

const tokens = (...ids: number[]) => ids as Token[];
const caches: Record<number, Token[]> = {
  0: tokens(1, 2, 3),
  1: tokens(1, 2, 3, 4, 5),
  2: tokens(),
  3: tokens(9),
};

test("picks the free slot sharing the longest prefix with the prompt", () => {
  expect(pickSlotByCommonPrefix([0, 1, 2, 3], (slot) => caches[slot], tokens(1, 2, 3, 4, 7), true)).toBe(1);
});

test("only free slots are considered", () => {
  expect(pickSlotByCommonPrefix([0, 2, 3], (slot) => caches[slot], tokens(1, 2, 3, 4, 7), true)).toBe(0);
});

test("with nothing shared, the slot holding the least cache is reused", () => {
  expect(pickSlotByCommonPrefix([0, 1, 2, 3], (slot) => caches[slot], tokens(5, 5), true)).toBe(2);
});

test("without prompt caching, the emptiest slot is used so others keep their cache", () => {
  expect(pickSlotByCommonPrefix([0, 1, 3], (slot) => caches[slot], tokens(1, 2, 3, 4, 5), false)).toBe(3);
});
