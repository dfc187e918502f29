import { expect, test } from "vitest";
import { PrefixBlockCache } from "../../bench/prefixBlockCache.js";
import { mulberry32 } from "../../src/inference/gguf/seededRandom.js";

/** The routing simulation's first KV cache: a Map's insertion order as the LRU order. */
class MapLru {
  private readonly cache = new Map<number, number>();
  private tokens = 0;
  constructor(private readonly capacity: number) {}
  serve(
    hashes: readonly number[],
    blockTokens: readonly number[],
    replyHash: number,
    replyTokens: number,
  ): number {
    let cached = 0;
    for (let block = 0; block < blockTokens.length; block++) {
      const tokens = this.cache.get(hashes[block]);
      if (tokens === undefined) break;
      cached += tokens;
    }
    this.touch(replyHash, replyTokens);
    for (let block = blockTokens.length - 1; block >= 0; block--)
      this.touch(hashes[block], blockTokens[block]);
    for (const [hash, tokens] of this.cache) {
      if (this.tokens <= this.capacity) break;
      this.cache.delete(hash);
      this.tokens -= tokens;
    }
    return cached;
  }
  private touch(hash: number, tokens: number): void {
    if (this.cache.has(hash)) this.cache.delete(hash);
    else this.tokens += tokens;
    this.cache.set(hash, tokens);
  }
}

test("the modelled KV cache finds the same cached prefixes as a Map kept in LRU order, through eviction and growth", () => {
  const random = mulberry32(16);
  const below = (count: number) => Math.floor(random() * count);
  const cache = new PrefixBlockCache(20_000);
  const reference = new MapLru(20_000);
  // Chats sharing a few first blocks. Most hashes new, some from a small set: a block's hash also
  // another's or the reply's, as a 32-bit hash collision would have it. Negative ones included, as
  // promptPrefixHashes gives; scaled, so that they differ in their top bits (the table's index).
  const chats: number[][] = Array.from({ length: 200 }, () => [below(8)]);
  const nextHash = () => (below(50) === 0 ? below(64) : below(1 << 20) - (1 << 19)) * 4_093;
  const tokensOf = (hash: number) => 1 + (Math.abs(hash) % 30);
  let hits = 0;
  for (let request = 0; request < 50_000; request++) {
    const chat = chats[below(chats.length)];
    chat.push(nextHash());
    const hashes = chat.slice(-Math.min(chat.length, 12), -1);
    const reply = chat[chat.length - 1];
    const blockTokens = hashes.map(tokensOf);
    const cached = cache.serve(hashes, blockTokens, reply, tokensOf(reply));
    const expected = reference.serve(hashes, blockTokens, reply, tokensOf(reply));
    // One expect per request would take most of this test's time (50,000 of them).
    if (cached !== expected) expect(cached, `cached tokens for request ${request}`).toBe(expected);
    if (cached > 0) hits++;
    if (chat.length > 30) chat.length = 1;
  }
  expect(hits).toBeGreaterThan(10_000);
});
