// Slot choice for the prompt cache, as llama-server's slot similarity: the free slot whose cached
// tokens share the longest prefix with the prompt; ties go to the slot holding the least cache.

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let length = 0;
  while (length < limit && a[length] === b[length]) length++;
  return length;
}

export function pickSlotByCommonPrefix(
  freeSlots: readonly number[],
  cachedTokensOf: (slot: number) => readonly number[],
  prompt: readonly number[],
  cachePrompt: boolean,
): number {
  let best = freeSlots[0];
  let bestShared = -1;
  let bestCached = Number.POSITIVE_INFINITY;
  for (const slot of freeSlots) {
    const cached = cachedTokensOf(slot);
    // Without prompt caching, reuse the emptiest slot and leave the others' caches alone.
    const shared = cachePrompt ? commonPrefixLength(cached, prompt) : 0;
    if (shared > bestShared || (shared === bestShared && cached.length < bestCached)) {
      best = slot;
      bestShared = shared;
      bestCached = cached.length;
    }
  }
  return best;
}
