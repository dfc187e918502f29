// The raw text completion operation: the prompt is used as is, with no chat template.
import { z } from "zod";
import type { GenerationRequest, PromptInput, TokenLogprob } from "../inference/types.js";
import type { GenerationCall, InferenceDeps } from "./context.js";
import { foldStream } from "./foldStream.js";
import { type FinishReason, streamGeneration, type Timings, type Usage } from "./generation.js";
import { limitMaxTokens } from "./generationLimits.js";
import { newId } from "./ids.js";
import { chooseOutputConstraint, textConstraintFields } from "./outputConstraint.js";
import { parseInput } from "./parseInput.js";
import { generationFields, toLoraSelection, toSamplingOptions, toStopList } from "./samplingInput.js";

/** The fields completion and infill share: sampling, limits, stop, LoRA, cache, output constraint, logprobs. */
export const completionOutputFields = {
  ...generationFields,
  ...textConstraintFields,
  jsonSchema: z.record(z.string(), z.unknown()).optional().describe("A JSON schema the output must follow"),
  logprobs: z.number().int().min(0).max(20).optional().describe("Report this many alternatives per token"),
};

export const completionInputSchema = z.strictObject({
  prompt: z
    .union([
      z.string().min(1, "the prompt must not be empty"),
      z.array(z.number().int().min(0)).min(1, "the prompt must not be empty"),
    ])
    .describe("The text to continue, or the token ids of the model's vocabulary to continue"),
  ...completionOutputFields,
});

export type CompletionInput = z.input<typeof completionInputSchema>;

export type CompletionEvent =
  | {
      type: "started";
      id: string;
      model: string;
      created: number;
      promptTokens: number;
      cachedPromptTokens: number;
    }
  | { type: "textDelta"; id: string; text: string; logprobs?: TokenLogprob[] }
  | {
      type: "finished";
      id: string;
      finishReason: FinishReason;
      usage: Usage;
      timings: Timings;
      text: string;
      stopSequence?: string;
    };

export interface Completion {
  id: string;
  model: string;
  created: number;
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  timings: Timings;
  logprobs?: TokenLogprob[];
}

type CompletionOutputInput = z.output<z.ZodObject<typeof completionOutputFields>>;

export function streamCompletion(
  deps: InferenceDeps,
  input: CompletionInput | unknown,
  call: GenerationCall = {},
): AsyncGenerator<CompletionEvent> {
  const parsed = parseInput(completionInputSchema, input);
  const prompt =
    typeof parsed.prompt === "string"
      ? { kind: "text" as const, text: parsed.prompt }
      : { kind: "tokens" as const, tokens: parsed.prompt };
  const request = completionRequest(deps, parsed, "cmpl-", prompt, call);
  return completionEvents(deps, request, call.signal);
}

export function createCompletion(
  deps: InferenceDeps,
  input: CompletionInput | unknown,
  call: GenerationCall = {},
): Promise<Completion> {
  return foldCompletion(streamCompletion(deps, input, call));
}

/** The inference request of a completion-shaped operation, for its prompt. */
export function completionRequest(
  deps: InferenceDeps,
  parsed: CompletionOutputInput,
  idPrefix: string,
  prompt: PromptInput,
  call: GenerationCall,
): GenerationRequest {
  return {
    id: newId(idPrefix),
    model: deps.registry.resolveId(parsed.model ?? deps.registry.defaultModelId),
    prompt,
    maxTokens: limitMaxTokens(parsed.maxTokens, deps.limits),
    sampling: toSamplingOptions(parsed),
    stop: toStopList(parsed.stop),
    constraint: chooseOutputConstraint(
      {
        grammar: parsed.grammar,
        regex: parsed.regex,
        choice: parsed.choice,
        responseFormat: parsed.jsonSchema
          ? { type: "json_schema", jsonSchema: { schema: parsed.jsonSchema } }
          : undefined,
      },
      "jsonSchema",
      "jsonSchema",
    ),
    lora: toLoraSelection(parsed.lora),
    cachePrompt: parsed.cachePrompt,
    topLogprobs: parsed.logprobs,
    origin: call.origin,
  };
}

/** A completion stream folded into one result. */
export async function foldCompletion(events: AsyncIterable<CompletionEvent>): Promise<Completion> {
  const { started, finished, logprobs } = await foldStream(events);
  const { id, model, created } = started;
  const { text, finishReason, usage, timings } = finished;
  return { id, model, created, text, finishReason, usage, timings, ...(logprobs ? { logprobs } : {}) };
}

/** A generation's events as completion events (the infill operation streams the same ones). */
export async function* completionEvents(
  deps: InferenceDeps,
  request: Parameters<typeof streamGeneration>[1],
  signal: AbortSignal | undefined,
): AsyncGenerator<CompletionEvent> {
  const { id, model } = request;
  const created = Math.floor(Date.now() / 1000);
  let text = "";
  for await (const event of streamGeneration(deps, request, signal)) {
    if (event.type === "started") yield { ...event, id, model, created };
    else if (event.type === "text") {
      text += event.text;
      yield { type: "textDelta", id, text: event.text, logprobs: event.logprobs };
    } else if (event.type === "finished") {
      const { finishReason, usage, timings, stopSequence } = event;
      yield { type: "finished", id, text, finishReason, usage, timings, stopSequence };
    }
  }
}
