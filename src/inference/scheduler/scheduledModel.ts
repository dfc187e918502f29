// What the Scheduler schedules onto: a model with slots, and the two halves of a generation (its
// preparation after admission, and its run once it has a slot). node-llama-cpp's LoadedModel is one;
// tests use a scripted fake, and remote upstreams would be another.
import type { EngineEvent, GenerationRequest, LoraSelection } from "../types.js";

export interface ScheduledModel {
  readonly id: string;
  /** Generations that may run at once, each on its own slot (and KV cache). */
  readonly slots: number;
  /** Tokens per slot: a prompt must be shorter. */
  readonly contextSize: number;
  isValidToken(token: number): boolean;
  /** The context a LoRA selection runs in ("" for the base model); throws InvalidInputError for an unknown adapter. */
  loraContextKey(selection: readonly LoraSelection[]): string;
  /** The tokens a slot holds in its cache in a context (none when that context does not exist). */
  cachedTokens(contextKey: string, slot: number): readonly number[];
  /**
   * Renders, tokenizes and compiles grammars: what runs after admission and before a slot. Throws
   * typed engine errors (an invalid grammar) before the request can take a slot.
   */
  prepare(request: GenerationRequest): Promise<PreparedRequest>;
}

/** A request made ready for a slot: its prompt's tokens, and how it generates once it has one. */
export interface PreparedRequest {
  readonly promptTokens: readonly number[];
  /**
   * Runs on a slot: "started", output events, then "finished" (with "cancelled" when `signal` aborts,
   * "timeout" past `deadline`); an error thrown ends it as failed. The slot is the caller's until
   * the iteration ends.
   */
  generate(run: SlotRun): AsyncIterable<EngineEvent>;
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
