// The routing simulation's model of a replica's KV cache: prefix blocks (a prefix hash → the tokens of
// its last block), the least recently used evicted first. An exact LRU order kept as a doubly linked
// list in arrays of numbers, so that a use is one Map lookup and no allocation: deleting and setting again
// in a Map (its insertion order as the LRU order) cost ~3 lookups a block and a third of a 512-replica
// simulation's time with the garbage it left.

const NONE = -1;

export class PrefixBlockCache {
  /** Prefix hash → its node. */
  private readonly nodes = new Map<number, number>();
  private readonly hashOf: number[] = [];
  private readonly tokensOf: number[] = [];
  /** Towards the least recently used… */
  private readonly older: number[] = [];
  /** …and the most recently used. */
  private readonly newer: number[] = [];
  private oldest = NONE;
  private newest = NONE;
  /** Nodes evicted, to be used again. */
  private readonly spare: number[] = [];
  /** Tokens of the blocks held. */
  tokens = 0;

  constructor(private readonly capacityTokens: number) {}

  /** The tokens of the block with this prefix hash, if it is held (its use not recorded). */
  blockTokens(hash: number): number | undefined {
    const node = this.nodes.get(hash);
    return node === undefined ? undefined : this.tokensOf[node];
  }

  /** Records a use of the block: it becomes the most recently used, added if it was not held. */
  touch(hash: number, tokens: number): void {
    let node = this.nodes.get(hash);
    if (node === undefined) {
      node = this.allocate();
      this.nodes.set(hash, node);
      this.hashOf[node] = hash;
      this.tokensOf[node] = tokens;
      this.tokens += tokens;
    } else {
      // Blocks are told apart by their 32-bit prefix hash alone. On a collision (~15 a 512-replica
      // run) the block keeps the tokens of its latest use and the total those it was added with, as
      // the Map this replaced did: the same seed gives the same numbers as before.
      this.tokensOf[node] = tokens;
      if (node === this.newest) return;
      this.unlink(node);
    }
    this.older[node] = this.newest;
    this.newer[node] = NONE;
    if (this.newest === NONE) this.oldest = node;
    else this.newer[this.newest] = node;
    this.newest = node;
  }

  /** Drops the least recently used blocks until the rest fit the capacity. */
  evict(): void {
    while (this.tokens > this.capacityTokens) {
      const node = this.oldest;
      this.unlink(node);
      this.nodes.delete(this.hashOf[node]);
      this.tokens -= this.tokensOf[node];
      this.spare.push(node);
    }
  }

  private unlink(node: number): void {
    const older = this.older[node];
    const newer = this.newer[node];
    if (older === NONE) this.oldest = newer;
    else this.newer[older] = newer;
    if (newer === NONE) this.newest = older;
    else this.older[newer] = older;
  }

  private allocate(): number {
    const node = this.spare.pop() ?? this.hashOf.length;
    if (node === this.hashOf.length) {
      this.hashOf.push(0);
      this.tokensOf.push(0);
      this.older.push(NONE);
      this.newer.push(NONE);
    }
    return node;
  }
}
