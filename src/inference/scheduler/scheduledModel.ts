// What the Scheduler schedules onto: a model with slots, and the two halves of a generation (its
// preparation after admission, and its run once it has a slot). node-llama-cpp's LoadedModel is one,
// a remote OpenAI-compatible upstream (remote/remoteModel.ts) another; tests use a scripted fake.
//
// The seam speaks of a prompt's *prefix*, not of its tokens: a local model's prefix is its prompt
// tokens (compared with what each slot's KV cache holds), a remote model's is a hash per prompt block
// (compared with what each replica served before). Slot choice is the model's where it knows better
// (`pickSlot`: a remote model routes among replicas), and a slot may be unusable for a while
// (`isSlotUsable`: a replica that is ejected).
import type { EngineEvent, GenerationRequest, LoraSelection } from "../types.js";

export interface ScheduledModel {
  readonly id: string;
  /** Generations that may run at once, each on its own slot (and KV cache, or replica connection). */
  readonly slots: number;
  /** Tokens per slot: a prompt must be shorter. Undefined where the engine behind checks it (a remote one). */
  readonly contextSize?: number;
  isValidToken(token: number): boolean;
  /** The context a LoRA selection runs in ("" for the base model); throws InvalidInputError for an unknown adapter. */
  loraContextKey(selection: readonly LoraSelection[]): string;
  /** The prefix units (tokens, for a local model) a slot holds in its cache in a context (none when that context does not exist). */
  cachedTokens(contextKey: string, slot: number): readonly number[];
  /**
   * Renders, tokenizes and compiles grammars: what runs after admission and before a slot. Throws
   * typed engine errors (an invalid grammar, a field an upstream cannot take) before the request can take a slot.
   */
  prepare(request: GenerationRequest): Promise<PreparedRequest>;
  /**
   * Chooses among the free usable slots for a prepared request, or none (it waits for another slot).
   * Absent: the free slot whose cache shares the longest prefix (pickSlotByCommonPrefix).
   */
  pickSlot?(
    freeSlots: readonly number[],
    prepared: PreparedRequest,
    request: GenerationRequest,
  ): number | undefined;
  /** Whether a slot may be granted now; absent: always. */
  isSlotUsable?(slot: number): boolean;
  /** Tells `listener` when slots may have become usable (or choosable) again; returns the unsubscribe. */
  onSlotsChanged?(listener: () => void): () => void;
}

/** A request made ready for a slot: its prompt's prefix, and how it generates once it has one. */
export interface PreparedRequest {
  /** What slot choice compares with slot caches: prompt tokens (local), prompt block hashes (remote). */
  readonly prefix: readonly number[];
  /** The prompt's length in tokens when known before it runs (checked against `contextSize`). */
  readonly promptTokens?: number;
  /**
   * Runs on a slot: "started", output events, then "finished" (with "cancelled" when `signal` aborts,
   * "timeout" past `deadline`); an error thrown ends it as failed. The slot is the caller's until
   * the iteration ends. Throwing SlotFailedError before any output ("started" may precede it) asks
   * for another slot (a retry), whose own "started" the consumer does not see again.
   */
  generate(run: SlotRun): AsyncIterable<EngineEvent>;
}

/**
 * Thrown by `generate` before its first output when its slot could not run the request (a replica
 * that refused or failed): the scheduler releases the slot and gives the request another one at the
 * head of the queue. The model decides whether another slot can help; when none can it throws the cause.
 */
export class SlotFailedError extends Error {
  constructor(readonly reason: unknown) {
    super(
      `the slot failed before the first token: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    this.name = "SlotFailedError";
  }
}

export interface SlotRun {
  slot: number;
  /** The context to run in, created on first use; creating one may evict idle ones, never a busy one. */
  contextKey: string;
  /** The contexts that generations on this model's slots use now (this one's included). */
  busyContextKeys: () => ReadonlySet<string>;
  request: GenerationRequest;
  signal: AbortSignal;
  /** Epoch ms after which generation ends with finish reason "timeout". */
  deadline: number;
  /** Time the request waited for its slot, reported in its timings. */
  queueMs: number;
  /** Tokens per text event after the first one. */
  streamInterval: number;
}

/** The models a Scheduler serves, by id. */
export interface ScheduledModels {
  /** The model; throws ModelNotFound (or ModelNotReady) when it cannot serve. */
  get(id: string): ScheduledModel;
  list(): readonly ScheduledModel[];
}
