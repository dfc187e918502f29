// The routing simulation's model of a replica's KV cache: prefix blocks (a prefix hash → the tokens of
// its last block), the least recently used evicted first, a prefix never before what extends it (as a
// radix cache). An exact LRU order: a doubly linked list of blocks indexed by an open-addressing hash
// table, all in typed arrays, so that a block's use is a probe or two in one cache line and allocates
// nothing. A Map in LRU order (each use deleted and set again, evicted through a kept iterator) took
// three Map operations a block: ~17 % of a 512-replica run's CPU, and garbage.

const NONE = -1;
/** A block's fields, side by side in `blocks`. */
const HASH = 0;
const TOKENS = 1;
const OLDER = 2;
const NEWER = 3;
const FIELDS = 4;

export class PrefixBlockCache {
  /** Each block's fields (FIELDS numbers a block): its hash, tokens, and neighbours in the LRU order. */
  private blocks = new Int32Array(FIELDS * 256);
  /** Blocks in `blocks`, held or spare. */
  private allocated = 0;
  /** Blocks evicted, to be used again. */
  private readonly spare: number[] = [];
  private oldest = NONE;
  private newest = NONE;
  /**
   * Hash table, linear probing: at each slot a hash (at 2 × slot) and its block + 1 (0: empty slot),
   * side by side so that a probe reads one cache line.
   */
  private table = new Int32Array(2 * 1024);
  /** 32 − log2(slots): home() keeps a hash's top bits. */
  private shift = 22;
  /** The blocks of the prompt being served (NONE: not held), reused from prompt to prompt. */
  private readonly found: number[] = [];
  /** Tokens of the blocks held. */
  private tokens = 0;

  constructor(private readonly capacityTokens: number) {}

  /**
   * Serves a prompt, blocks of these prefix hashes (32-bit integers) and tokens, and its reply:
   * returns the tokens of the prompt's longest prefix held, then holds the prompt and the reply and
   * evicts what no longer fits.
   */
  serve(
    hashes: readonly number[],
    blockTokens: readonly number[],
    replyHash: number,
    replyTokens: number,
  ): number {
    const count = blockTokens.length;
    const found = this.found;
    let cached = 0;
    let prefix = true;
    for (let index = 0; index < count; index++) {
      const block = this.find(hashes[index]);
      found[index] = block;
      if (block === NONE) prefix = false;
      else if (prefix) cached += this.blocks[block * FIELDS + TOKENS];
    }
    // Leaves first, so that a prefix is always more recently used than what extends it; the reply
    // with the prompt (no other request can reuse it before it is complete: only its chat's next turn).
    this.use(this.find(replyHash), replyHash, replyTokens);
    for (let index = count - 1; index >= 0; index--) {
      // A block not held when looked up may be now, when its hash is also a later block's or the reply's.
      const block = found[index] === NONE ? this.find(hashes[index]) : found[index];
      this.use(block, hashes[index], blockTokens[index]);
    }
    this.evict();
    return cached;
  }

  /** Makes `block`, hashed `hash`, the most recently used: added when NONE (not held). */
  private use(block: number, hash: number, tokens: number): void {
    if (block === NONE) {
      block = this.allocate();
      this.blocks[block * FIELDS + HASH] = hash;
      this.insert(hash, block);
      this.tokens += tokens;
    } else if (block === this.newest) {
      this.blocks[block * FIELDS + TOKENS] = tokens;
      return;
    } else this.unlink(block);
    const blocks = this.blocks;
    // Blocks are told apart by their 32-bit prefix hash alone. On a collision (~15 a 512-replica run)
    // the block keeps the tokens of its latest use and the total those it was added with, as the Map
    // this replaced did: the same seed gives the same numbers as before.
    blocks[block * FIELDS + TOKENS] = tokens;
    blocks[block * FIELDS + OLDER] = this.newest;
    blocks[block * FIELDS + NEWER] = NONE;
    if (this.newest === NONE) this.oldest = block;
    else blocks[this.newest * FIELDS + NEWER] = block;
    this.newest = block;
  }

  /** Drops the least recently used blocks until the rest fit the capacity. */
  private evict(): void {
    while (this.tokens > this.capacityTokens) {
      const block = this.oldest;
      this.unlink(block);
      this.remove(this.blocks[block * FIELDS + HASH]);
      this.tokens -= this.blocks[block * FIELDS + TOKENS];
      this.spare.push(block);
    }
  }

  private unlink(block: number): void {
    const blocks = this.blocks;
    const older = blocks[block * FIELDS + OLDER];
    const newer = blocks[block * FIELDS + NEWER];
    if (older === NONE) this.oldest = newer;
    else blocks[older * FIELDS + NEWER] = newer;
    if (newer === NONE) this.newest = older;
    else blocks[newer * FIELDS + OLDER] = older;
  }

  private allocate(): number {
    const reused = this.spare.pop();
    if (reused !== undefined) return reused;
    if (this.allocated * FIELDS === this.blocks.length) {
      const grown = new Int32Array(2 * this.blocks.length);
      grown.set(this.blocks);
      this.blocks = grown;
    }
    return this.allocated++;
  }

  /** The first slot to probe for a hash: Fibonacci hashing (the prefix hashes' low bits alone cluster). */
  private home(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> this.shift;
  }

  private find(hash: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    for (let slot = this.home(hash); table[2 * slot + 1] !== 0; slot = (slot + 1) & mask)
      if (table[2 * slot] === hash) return table[2 * slot + 1] - 1;
    return NONE;
  }

  private insert(hash: number, block: number): void {
    // At most half full, so that probe runs stay short.
    if (4 * (this.allocated - this.spare.length) > this.table.length) this.resize(2 * this.table.length);
    this.place(hash, block);
  }

  private place(hash: number, block: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = this.home(hash);
    while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    table[2 * slot] = hash;
    table[2 * slot + 1] = block + 1;
  }

  /** Removes a held hash, moving later entries of its probe run back into the gap (no tombstones). */
  private remove(hash: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let gap = this.home(hash);
    while (table[2 * gap] !== hash || table[2 * gap + 1] === 0) gap = (gap + 1) & mask;
    for (let slot = (gap + 1) & mask; table[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      // The entry at `slot` can fill the gap unless its home lies cyclically in (gap, slot].
      const home = this.home(table[2 * slot]);
      if (((slot - home) & mask) >= ((slot - gap) & mask)) {
        table[2 * gap] = table[2 * slot];
        table[2 * gap + 1] = table[2 * slot + 1];
        gap = slot;
      }
    }
    table[2 * gap + 1] = 0;
  }

  private resize(length: number): void {
    const old = this.table;
    this.table = new Int32Array(length);
    this.shift = 32 - Math.log2(length >> 1);
    for (let at = 0; at < old.length; at += 2) if (old[at + 1] !== 0) this.place(old[at], old[at + 1] - 1);
  }
}
