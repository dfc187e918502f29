// Folds a generation stream into its started and finished events plus the logprobs its deltas
// carried: how the non-streaming operations are built from the streaming ones.
import type { TokenLogprob } from "../inference/types.js";

interface StreamEvent {
  type: string;
  logprobs?: TokenLogprob[];
}

export interface FoldedStream<Event extends StreamEvent> {
  started: Extract<Event, { type: "started" }>;
  finished: Extract<Event, { type: "finished" }>;
  /** Present when the request asked for logprobs. */
  logprobs?: TokenLogprob[];
}

export async function foldStream<Event extends StreamEvent>(
  events: AsyncIterable<Event>,
): Promise<FoldedStream<Event>> {
  let started: Extract<Event, { type: "started" }> | undefined;
  const logprobs: TokenLogprob[] = [];
  let askedForLogprobs = false;
  for await (const event of events) {
    if (event.type === "started") started = event as Extract<Event, { type: "started" }>;
    else if (event.type === "finished" && started) {
      const finished = event as Extract<Event, { type: "finished" }>;
      return askedForLogprobs ? { started, finished, logprobs } : { started, finished };
    } else if (event.logprobs) {
      askedForLogprobs = true;
      logprobs.push(...event.logprobs);
    }
  }
  throw new Error("The generation ended without a finished event");
}
