// What every benchmark target implements: stream one chat completion, as the client sees it.

/** One request of a run: a fixed prompt and a fixed output length. */
export interface BenchRequest {
  /** The user message. */
  prompt: string;
  /** Output tokens asked for; the bench models rarely stop on their own, so this is the length. */
  maxTokens: number;
  seed: number;
  /** Sampling temperature; the same for every target. */
  temperature: number;
}

export type StreamEvent =
  /** A content delta as it arrived (one or more tokens). */
  | { type: "delta"; text: string }
  /** Token counts reported at the end of the stream. */
  | { type: "usage"; promptTokens: number; completionTokens: number; cachedPromptTokens?: number };

export interface TargetSession {
  /** Streams one chat completion: content deltas as they arrive, then its usage. */
  stream(request: BenchRequest): AsyncIterable<StreamEvent>;
  close(): Promise<void>;
}

/** A way to reach an engine: a name for the tables and how to open a session on it. */
export interface Target {
  /** Short id used in results, e.g. `graphql-ws`, `llama-server`. */
  name: string;
  /** What it measures, for the report. */
  description: string;
  /**
   * The Node process serving it (inferql, a gateway, the proxy floor), whose main thread's CPU a run
   * counts per output token; absent for `direct` (in the bench's own process) and llama-server.
   */
  serverPid?: number;
  open(): Promise<TargetSession>;
}
