// Prefix affinity for remote replicas: a prompt is a chain of blocks (the tools, then each message;
// or 64-character pieces of a text prompt), each hashed together with all blocks before it. A request
// goes to the replica that last served the longest of its prefixes (its KV cache likely still holds
// it: the same conversation's earlier turns, the same system prompt), as SGLang's cache-aware router.
import type { ChatPromptMessage, PromptInput } from "../types.js";

const TEXT_BLOCK = 64;
const FNV_PRIME = 0x01000193;
/** FNV-1a's offset basis: the hash of the empty prefix. */
const EMPTY_PREFIX = 0x811c9dc5 | 0;

/**
 * 32-bit FNV-1a over `text`, continuing from `hash`, as a signed integer: V8 keeps those unboxed as
 * Map keys (the affinity table's), where one of 2^31 or more would be a heap number of its own.
 */
function fnv1a(text: string, hash: number): number {
  let h = hash;
  for (let index = 0; index < text.length; index++) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/**
 * The hash of the prefix one block longer than the prefix hashed `previous`: FNV-1a over a NUL (a
 * multiplication: 0 xored changes nothing), then over the block.
 */
const extend = (previous: number, block: string) => fnv1a(block, Math.imul(previous, FNV_PRIME));

/** The hash of every prefix of the prompt, shortest first. */
export function promptPrefixHashes(prompt: PromptInput): number[] {
  const hashes: number[] = [];
  if (prompt.kind === "chat") {
    if (prompt.tools.length) hashes.push(extend(EMPTY_PREFIX, JSON.stringify(prompt.tools)));
    for (const message of prompt.messages) hashes.push(nextChatPrefixHash(hashes.at(-1), message));
    return hashes;
  }
  const text = prompt.kind === "text" ? prompt.text : JSON.stringify(prompt);
  let hash = EMPTY_PREFIX;
  for (let start = 0; start < text.length; start += TEXT_BLOCK) {
    hash = extend(hash, text.slice(start, start + TEXT_BLOCK));
    hashes.push(hash);
  }
  return hashes;
}

/**
 * The last prefix hash of a chat prompt followed by `message`, from `previous`, the prompt's last
 * (undefined: the prompt is empty): so a chat growing turn by turn (the routing simulation's) hashes
 * only its new messages.
 */
export function nextChatPrefixHash(previous: number | undefined, message: ChatPromptMessage): number {
  return extend(previous ?? EMPTY_PREFIX, JSON.stringify(message));
}

/**
 * Which replica served each prefix hash, forgetting the least recently recorded first: two
 * generations of at most `capacity / 2` hashes each. Hashes are recorded into the newer one; once it
 * is full the older is dropped whole and the newer takes its place. So the table holds at most
 * `capacity` hashes and always remembers at least the `capacity / 2` most recently recorded ones.
 * An exact least-recently-used order (a Map whose re-recorded hashes are deleted and set again, the
 * oldest evicted one by one) cost 60–280 µs a request with a table of 512,000 hashes, against ~1 µs
 * (measured in one process, 190,000 requests, Node 20; bench/README.md, "Routing simulation").
 */
export class PrefixAffinity {
  private newer = new Map<number, number>();
  private older = new Map<number, number>();
  private readonly generationSize: number;

  /** `capacity`: prefix hashes held at most (at least half of them the most recently recorded). */
  constructor(capacity: number) {
    this.generationSize = Math.max(1, Math.floor(capacity / 2));
  }

  /** The replica that served the longest of these prefixes, if any did (and it is remembered). */
  lookup(prefix: readonly number[]): number | undefined {
    for (let index = prefix.length - 1; index >= 0; index--) {
      const replica = this.newer.get(prefix[index]) ?? this.older.get(prefix[index]);
      if (replica !== undefined) return replica;
    }
    return undefined;
  }

  record(prefix: readonly number[], replica: number): void {
    for (const hash of prefix) {
      this.newer.set(hash, replica);
      if (this.newer.size >= this.generationSize) {
        this.older = this.newer;
        this.newer = new Map();
      }
    }
  }
}
