// Code infill (fill-in-the-middle): the text between a prefix and a suffix, on a model with FIM tokens.
// It streams the completion operation's events; the model's FIM layout is the inference layer's to build.
import { z } from "zod";
import { type Completion, type CompletionEvent, completionEvents } from "./completion.js";
import type { GenerationCall, InferenceDeps } from "./context.js";
import { foldStream } from "./foldStream.js";
import { limitMaxTokens } from "./generationLimits.js";
import { newId } from "./ids.js";
import { chooseOutputConstraint } from "./outputConstraint.js";
import { parseInput } from "./parseInput.js";
import { generationFields, toLoraSelection, toSamplingOptions, toStopList } from "./samplingInput.js";

export const infillInputSchema = z.strictObject({
  inputPrefix: z.string().describe("The code before the gap"),
  inputSuffix: z.string().describe("The code after the gap"),
  inputExtra: z
    .array(z.strictObject({ filename: z.string().default("tmp"), text: z.string() }))
    .max(256)
    .default([])
    .describe("Other files of the repository, shown to the model before the file being edited"),
  prompt: z
    .string()
    .default("")
    .describe("The start of the middle, already written: generation continues it"),
  ...generationFields,
  grammar: z.string().min(1).optional().describe("A GBNF grammar the output must follow"),
  jsonSchema: z.record(z.string(), z.unknown()).optional().describe("A JSON schema the output must follow"),
  logprobs: z.number().int().min(0).max(20).optional().describe("Report this many alternatives per token"),
});

export type InfillInput = z.input<typeof infillInputSchema>;

export function streamInfill(
  deps: InferenceDeps,
  input: InfillInput | unknown,
  call: GenerationCall = {},
): AsyncGenerator<CompletionEvent> {
  const parsed = parseInput(infillInputSchema, input);
  const constraint = chooseOutputConstraint(
    parsed.grammar,
    parsed.jsonSchema ? { type: "json_schema", jsonSchema: { schema: parsed.jsonSchema } } : undefined,
    "jsonSchema",
  );
  const request = {
    id: newId("infill-"),
    model: parsed.model ?? deps.registry.defaultModelId,
    prompt: {
      kind: "infill" as const,
      prefix: parsed.inputPrefix,
      suffix: parsed.inputSuffix,
      extra: parsed.inputExtra,
      prompt: parsed.prompt,
    },
    maxTokens: limitMaxTokens(parsed.maxTokens, deps.limits),
    sampling: toSamplingOptions(parsed),
    stop: toStopList(parsed.stop),
    constraint,
    lora: toLoraSelection(parsed.lora),
    cachePrompt: parsed.cachePrompt,
    topLogprobs: parsed.logprobs,
    origin: call.origin,
  };
  return completionEvents(deps, request, call.signal);
}

export async function createInfill(
  deps: InferenceDeps,
  input: InfillInput | unknown,
  call: GenerationCall = {},
): Promise<Completion> {
  const { started, finished, logprobs } = await foldStream(streamInfill(deps, input, call));
  const { id, model, created } = started;
  const { text, finishReason, usage, timings } = finished;
  return { id, model, created, text, finishReason, usage, timings, ...(logprobs ? { logprobs } : {}) };
}
