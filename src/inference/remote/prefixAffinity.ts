// Prefix affinity for remote replicas: a prompt is a chain of blocks (the tools, then each message;
// or 64-character pieces of a text prompt), each hashed together with all blocks before it. A request
// goes to the replica that last served the longest of its prefixes (its KV cache likely still holds
// it: the same conversation's earlier turns, the same system prompt), as SGLang's cache-aware router.
import type { PromptInput } from "../types.js";

const TEXT_BLOCK = 64;

/** 32-bit FNV-1a over `text`, continuing from `hash`. */
function fnv1a(text: string, hash: number): number {
  let h = hash;
  for (let index = 0; index < text.length; index++) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The hash of every prefix of the prompt, shortest first. */
export function promptPrefixHashes(prompt: PromptInput): number[] {
  const blocks: string[] = [];
  if (prompt.kind === "chat") {
    if (prompt.tools.length) blocks.push(JSON.stringify(prompt.tools));
    for (const message of prompt.messages) blocks.push(JSON.stringify(message));
  } else {
    const text = prompt.kind === "text" ? prompt.text : JSON.stringify(prompt);
    for (let start = 0; start < text.length; start += TEXT_BLOCK)
      blocks.push(text.slice(start, start + TEXT_BLOCK));
  }
  const hashes: number[] = [];
  let hash = 0x811c9dc5;
  for (const block of blocks) {
    hash = fnv1a(`\u0000${block}`, hash);
    hashes.push(hash);
  }
  return hashes;
}

export class PrefixAffinity {
  /** Prefix hash → the replica that served it last; in insertion order, oldest first. */
  private readonly served = new Map<number, number>();
  /**
   * Walks `served` from its oldest entry, deleting each one it passes: what it yields next is always
   * the oldest left (a re-recorded hash moves to the end, ahead of it). A fresh iterator per call
   * would first skip every deleted entry the Map still holds at its front: ~35 µs a request with a
   * full table, against well under 1 µs (bench/routingSimulation.ts).
   */
  private oldest?: Iterator<number>;

  /** `capacity`: prefix hashes remembered before the least recently used are forgotten. */
  constructor(private readonly capacity: number) {}

  /** The replica that served the longest of these prefixes, if any did. */
  lookup(prefix: readonly number[]): number | undefined {
    for (let index = prefix.length - 1; index >= 0; index--) {
      const replica = this.served.get(prefix[index]);
      if (replica !== undefined) return replica;
    }
    return undefined;
  }

  record(prefix: readonly number[], replica: number): void {
    for (const hash of prefix) {
      this.served.delete(hash);
      this.served.set(hash, replica);
    }
    while (this.served.size > this.capacity) {
      this.oldest ??= this.served.keys();
      const next = this.oldest.next();
      if (next.done) this.oldest = undefined;
      else this.served.delete(next.value);
    }
  }
}
