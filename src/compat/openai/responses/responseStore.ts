// Stored responses (`store: true`): each response with the conversation that led to it, so that
// `previous_response_id` continues it and GET/DELETE /v1/responses/{id} find it. In memory only,
// owned by the API key that made it (one shared space when no keys are configured), and bounded:
// the least recently used response goes first, per key and overall.
import type { ChatCompletionInput } from "../../../resolvers/index.js";
import type { WireResponse } from "./protocol.js";

export type ConversationMessage = ChatCompletionInput["messages"][number];

export interface StoredResponse {
  response: WireResponse;
  /** The messages the response answered (instructions excluded), then its own answer. */
  conversation: ConversationMessage[];
}

export interface ResponseStoreOptions {
  /** Responses kept across all keys (default 2048). */
  maxEntries?: number;
  /** Responses kept for one key (default 512), so one key cannot evict every other key's conversations. */
  maxEntriesPerOwner?: number;
}

/** The owner of a request's responses: its API key's id, or the one shared space. */
export type ResponseOwner = string;
export const SHARED_OWNER: ResponseOwner = "";

export class ResponseStore {
  private readonly entries = new Map<string, StoredResponse & { owner: ResponseOwner }>();
  private readonly countByOwner = new Map<ResponseOwner, number>();
  private readonly maxEntries: number;
  private readonly maxEntriesPerOwner: number;

  constructor({ maxEntries = 2048, maxEntriesPerOwner = 512 }: ResponseStoreOptions = {}) {
    this.maxEntries = maxEntries;
    this.maxEntriesPerOwner = Math.min(maxEntriesPerOwner, maxEntries);
  }

  /** The owner's response with this id (now the most recently used), or undefined. */
  get(owner: ResponseOwner, id: string): StoredResponse | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.owner !== owner) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  put(owner: ResponseOwner, stored: StoredResponse): void {
    this.delete(owner, stored.response.id);
    if ((this.countByOwner.get(owner) ?? 0) >= this.maxEntriesPerOwner) this.evictOldest(owner);
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(stored.response.id, { ...stored, owner });
    this.countByOwner.set(owner, (this.countByOwner.get(owner) ?? 0) + 1);
  }

  /** Whether the owner had a response with this id (now removed). */
  delete(owner: ResponseOwner, id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.owner !== owner) return false;
    this.entries.delete(id);
    const count = (this.countByOwner.get(owner) ?? 1) - 1;
    if (count > 0) this.countByOwner.set(owner, count);
    else this.countByOwner.delete(owner);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOldest(owner?: ResponseOwner): void {
    for (const [id, entry] of this.entries) {
      if (owner === undefined || entry.owner === owner) {
        this.delete(entry.owner, id);
        return;
      }
    }
  }
}
