// Translation of llama-server's /completion request into the completion resolver's input (its
// answers are llama-server's shared shape, shared/llamaServerAnswer.ts).
import type { CompletionInput } from "../../../resolvers/index.js";
import { fromNPredict } from "../shared/llamaServerAnswer.js";
import { toGenerationInput } from "../shared/toGenerationInput.js";
import type { LlamaCompletionRequest } from "./protocol.js";

export function toLlamaCompletionInput(request: LlamaCompletionRequest): CompletionInput {
  const generation = toGenerationInput(request);
  return Object.assign(generation, {
    maxTokens: fromNPredict(request.n_predict, generation.maxTokens),
    prompt: request.prompt,
    grammar: request.grammar,
    jsonSchema: request.json_schema,
  });
}
