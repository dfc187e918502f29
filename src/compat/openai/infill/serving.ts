// Translation between llama-server's /infill wire format and the infill resolver's input and result.
import type { Completion, CompletionEvent, FinishReason, InfillInput } from "../../../resolvers/index.js";
import type { EventTranslation } from "../http/streamAsSse.js";
import { toWireTimings } from "../shared/responseFields.js";
import { toGenerationInput } from "../shared/toGenerationInput.js";
import type { InfillChunk, InfillRequest, InfillResponse, WireStopType } from "./protocol.js";

export function toInfillInput(request: InfillRequest): InfillInput {
  const generation = toGenerationInput(request);
  return {
    ...generation,
    maxTokens: request.n_predict ?? generation.maxTokens,
    inputPrefix: request.input_prefix,
    inputSuffix: request.input_suffix,
    inputExtra: request.input_extra?.map(({ filename, text }) => ({ filename, text })),
    prompt: request.prompt,
    grammar: request.grammar,
    jsonSchema: request.json_schema,
  };
}

function toStopType(reason: FinishReason, stopSequence: string | undefined): WireStopType {
  if (reason === "stop") return stopSequence === undefined ? "eos" : "word";
  if (reason === "length" || reason === "timeout") return "limit";
  return "none";
}

type Outcome = Pick<Completion, "id" | "model" | "text" | "finishReason" | "usage" | "timings"> & {
  stopSequence?: string;
};

export function toInfillResponse(outcome: Outcome): InfillResponse {
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
export function infillChunkTranslation(): EventTranslation<CompletionEvent> {
  let model = "";
  let promptTokens = 0;
  return (event) => {
    if (event.type === "started") {
      model = event.model;
      promptTokens = event.promptTokens;
      return [];
    }
    if (event.type === "textDelta") {
      const chunk: InfillChunk = {
        index: 0,
        content: event.text,
        tokens: [],
        stop: false,
        tokens_evaluated: promptTokens,
      };
      return [chunk];
    }
    return [{ ...toInfillResponse({ ...event, model }), content: "" }];
  };
}
