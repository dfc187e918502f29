// The routing simulation's model of a replica's KV cache: prefix blocks (a prefix hash → the tokens of
// its last block), the least recently used evicted first, a prefix never before what extends it (as a
// radix cache). An exact LRU order kept as a doubly linked list in arrays of numbers, so that a
// block's use is one Map lookup and no allocation: a Map's insertion order as the LRU order (each use
// deleted and set again) took three, and a third of a 512-replica run with the garbage it left.

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
  /** The nodes of the prompt being served (NONE: not held), reused from prompt to prompt. */
  private readonly found: number[] = [];
  /** Tokens of the blocks held. */
  private tokens = 0;

  constructor(private readonly capacityTokens: number) {}

  /**
   * Serves a prompt, `blockTokens.length` blocks whose prefix hashes start `hashes`, and its reply,
   * `replyTokens` tokens hashed next: returns the tokens of the prompt's longest prefix held, then
   * holds the prompt and the reply and evicts what no longer fits.
   */
  serve(hashes: readonly number[], blockTokens: readonly number[], replyTokens: number): number {
    const blocks = blockTokens.length;
    const found = this.found;
    let cached = 0;
    let prefix = true;
    for (let block = 0; block < blocks; block++) {
      const node = this.nodes.get(hashes[block]) ?? NONE;
      found[block] = node;
      if (node === NONE) prefix = false;
      else if (prefix) cached += this.tokensOf[node];
    }
    // Leaves first, so that a prefix is always more recently used than what extends it; the reply
    // with the prompt (no other request can reuse it before it is complete: only its chat's next turn).
    this.use(this.nodes.get(hashes[blocks]) ?? NONE, hashes[blocks], replyTokens);
    for (let block = blocks - 1; block >= 0; block--) {
      // A block not held when looked up may be now, when its hash is also a later block's or the reply's.
      const node = found[block] === NONE ? (this.nodes.get(hashes[block]) ?? NONE) : found[block];
      this.use(node, hashes[block], blockTokens[block]);
    }
    this.evict();
    return cached;
  }

  /** Makes `node`, the block hashed `hash`, the most recently used: added when NONE (not held). */
  private use(node: number, hash: number, tokens: number): void {
    if (node === NONE) {
      node = this.allocate();
      this.nodes.set(hash, node);
      this.hashOf[node] = hash;
      this.tokens += tokens;
    } else if (node === this.newest) {
      this.tokensOf[node] = tokens;
      return;
    } else this.unlink(node);
    // Blocks are told apart by their 32-bit prefix hash alone. On a collision (~15 a 512-replica run)
    // the block keeps the tokens of its latest use and the total those it was added with, as the Map
    // this replaced did: the same seed gives the same numbers as before.
    this.tokensOf[node] = tokens;
    this.older[node] = this.newest;
    this.newer[node] = NONE;
    if (this.newest === NONE) this.oldest = node;
    else this.newer[this.newest] = node;
    this.newest = node;
  }

  /** Drops the least recently used blocks until the rest fit the capacity. */
  private evict(): void {
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
