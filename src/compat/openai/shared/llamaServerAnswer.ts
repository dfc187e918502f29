// llama-server's own answer shape, which its /completion and /infill share: a chunk per piece when
// streamed, then the whole answer with its counts, stop type and timings.
import type { Completion, CompletionEvent, FinishReason } from "../../../resolvers/index.js";
import type { EventTranslation } from "../http/streamAsSse.js";
import { toWireTimings, type WireTimings } from "./responseFields.js";

/** llama-server's stop_type: an end-of-generation token, a stop word, a limit, or none (cancelled). */
export type WireStopType = "eos" | "word" | "limit" | "none";

/** A streamed piece of the answer. */
export interface LlamaServerChunk {
  index: 0;
  content: string;
  tokens: number[];
  stop: false;
  tokens_evaluated: number;
}

/** The whole answer (streamed last, with empty content). */
export interface LlamaServerAnswer {
  index: 0;
  id: string;
  content: string;
  tokens: number[];
  stop: true;
  model: string;
  tokens_predicted: number;
  tokens_evaluated: number;
  tokens_cached: number;
  truncated: boolean;
  stop_type: WireStopType;
  stopping_word: string;
  timings: WireTimings;
}

/** llama-server's `n_predict`: a negative one (its default, -1) sets no limit. */
export function fromNPredict(
  nPredict: number | undefined,
  maxTokens: number | undefined,
): number | undefined {
  if (nPredict === undefined) return maxTokens;
  return nPredict < 0 ? undefined : nPredict;
}

function toStopType(reason: FinishReason, stopSequence: string | undefined): WireStopType {
  if (reason === "stop") return stopSequence === undefined ? "eos" : "word";
  if (reason === "length" || reason === "timeout") return "limit";
  return "none";
}

type Outcome = Pick<Completion, "id" | "model" | "text" | "finishReason" | "usage" | "timings"> & {
  stopSequence?: string;
};

export function toLlamaServerAnswer(outcome: Outcome): LlamaServerAnswer {
  const { usage } = outcome;
  return {
    index: 0,
    id: outcome.id,
    content: outcome.text,
    tokens: [],
    stop: true,
    model: outcome.model,
    tokens_predicted: usage.completionTokens,
    tokens_evaluated: usage.promptTokens,
    tokens_cached: usage.cachedPromptTokens,
    truncated: false,
    stop_type: toStopType(outcome.finishReason, outcome.stopSequence),
    stopping_word: outcome.stopSequence ?? "",
    timings: toWireTimings(outcome.timings, usage),
  };
}

/** Stream messages as llama-server sends them: a chunk per piece, then the whole answer with empty content. */
export function llamaServerChunkTranslation(): EventTranslation<CompletionEvent> {
  let model = "";
  let promptTokens = 0;
  return (event) => {
    if (event.type === "started") {
      model = event.model;
      promptTokens = event.promptTokens;
      return [];
    }
    if (event.type === "textDelta") {
      const chunk: LlamaServerChunk = {
        index: 0,
        content: event.text,
        tokens: [],
        stop: false,
        tokens_evaluated: promptTokens,
      };
      return [chunk];
    }
    return [{ ...toLlamaServerAnswer({ ...event, model }), content: "" }];
  };
}
