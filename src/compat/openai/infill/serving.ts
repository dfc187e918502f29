// Translation of llama-server's /infill request into the infill resolver's input (its answers are
// llama-server's shared shape, shared/llamaServerAnswer.ts).
import type { InfillInput } from "../../../resolvers/index.js";
import { fromNPredict } from "../shared/llamaServerAnswer.js";
import { toGenerationInput } from "../shared/toGenerationInput.js";
import type { InfillRequest } from "./protocol.js";

export function toInfillInput(request: InfillRequest): InfillInput {
  const generation = toGenerationInput(request);
  return {
    ...generation,
    maxTokens: fromNPredict(request.n_predict, generation.maxTokens),
    inputPrefix: request.input_prefix,
    inputSuffix: request.input_suffix,
    inputExtra: request.input_extra?.map(({ filename, text }) => ({ filename, text })),
    prompt: request.prompt,
    grammar: request.grammar,
    jsonSchema: request.json_schema,
  };
}
