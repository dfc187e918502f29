// The one API every transport calls: transport-agnostic operations bound to the inference layer.

import { createChatCompletion, streamChatCompletion } from "./chat/chatCompletion.js";
import { renderChatPrompt } from "./chat/renderChatPrompt.js";
import { createCompletion, streamCompletion } from "./completion.js";
import type { GenerationCall, InferenceDeps } from "./context.js";
import { createEmbeddings } from "./embeddings.js";
import { health } from "./health.js";
import { createInfill, streamInfill } from "./infill.js";
import { findModel, listModels } from "./models.js";
import { rerank } from "./rerank.js";
import { cancelGeneration, schedulerState } from "./scheduler.js";
import { detokenize, tokenize } from "./tokenize.js";
import { watchScheduler } from "./watchScheduler.js";

export function createResolvers(deps: InferenceDeps) {
  return {
    createChatCompletion: (input: unknown, call?: GenerationCall) => createChatCompletion(deps, input, call),
    streamChatCompletion: (input: unknown, call?: GenerationCall) => streamChatCompletion(deps, input, call),
    createCompletion: (input: unknown, call?: GenerationCall) => createCompletion(deps, input, call),
    streamCompletion: (input: unknown, call?: GenerationCall) => streamCompletion(deps, input, call),
    createInfill: (input: unknown, call?: GenerationCall) => createInfill(deps, input, call),
    streamInfill: (input: unknown, call?: GenerationCall) => streamInfill(deps, input, call),
    createEmbeddings: (input: unknown) => createEmbeddings(deps, input),
    rerank: (input: unknown) => rerank(deps, input),
    renderChatPrompt: (input: unknown) => renderChatPrompt(deps, input),
    tokenize: (input: unknown) => tokenize(deps, input),
    detokenize: (input: unknown) => detokenize(deps, input),
    listModels: () => listModels(deps),
    findModel: (id: string) => findModel(deps, id),
    health: () => health(deps),
    schedulerState: (call?: GenerationCall) => schedulerState(deps, call),
    watchScheduler: (call?: GenerationCall) => watchScheduler(deps, call),
    cancelGeneration: (id: string, call?: GenerationCall) => cancelGeneration(deps, id, call),
  };
}

export type Resolvers = ReturnType<typeof createResolvers>;

/** What unset sampling fields mean, for the transports that document them. */
export { LLAMA_SERVER_SAMPLING } from "../inference/types.js";
export type {
  AssembledToolCall,
  ChatChoice,
  ChatCompletion,
  ChatCompletionEvent,
} from "./chat/chatCompletion.js";
export type { ChatCompletionInput } from "./chat/chatInput.js";
export { chatCompletionInputSchema } from "./chat/chatInput.js";
export type { RenderedChatPrompt } from "./chat/renderChatPrompt.js";
export type { Completion, CompletionEvent, CompletionInput } from "./completion.js";
export { completionInputSchema } from "./completion.js";
export type { GenerationCall, InferenceDeps, RequestOrigin } from "./context.js";
export type { Embeddings, EmbeddingsInput } from "./embeddings.js";
export { embeddingsInputSchema } from "./embeddings.js";
export type { FinishReason, Timings, Usage } from "./generation.js";
export type { GenerationLimits } from "./generationLimits.js";
export type { Health } from "./health.js";
export type { InfillInput } from "./infill.js";
export { infillInputSchema } from "./infill.js";
export { invalidInputFromIssue } from "./parseInput.js";
export type { Rerank, RerankInput, RerankResult } from "./rerank.js";
export { rerankInputSchema } from "./rerank.js";
export type { DetokenizeInput, Tokenization, TokenizeInput } from "./tokenize.js";
export { detokenizeInputSchema, tokenizeInputSchema } from "./tokenize.js";
