// Code infill (fill-in-the-middle): the text between a prefix and a suffix, on a model with FIM tokens.
// It streams the completion operation's events; the model's FIM layout is the inference layer's to build.
import { z } from "zod";
import {
  type Completion,
  type CompletionEvent,
  completionEvents,
  completionOutputFields,
  completionRequest,
  foldCompletion,
} from "./completion.js";
import type { GenerationCall, InferenceDeps } from "./context.js";
import { parseInput } from "./parseInput.js";

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
  ...completionOutputFields,
});

export type InfillInput = z.input<typeof infillInputSchema>;

export function streamInfill(
  deps: InferenceDeps,
  input: InfillInput | unknown,
  call: GenerationCall = {},
): AsyncGenerator<CompletionEvent> {
  const parsed = parseInput(infillInputSchema, input);
  const prompt = {
    kind: "infill" as const,
    prefix: parsed.inputPrefix,
    suffix: parsed.inputSuffix,
    extra: parsed.inputExtra,
    prompt: parsed.prompt,
  };
  const request = completionRequest(deps, parsed, "infill-", prompt, call);
  return completionEvents(deps, request, call.signal);
}

export function createInfill(
  deps: InferenceDeps,
  input: InfillInput | unknown,
  call: GenerationCall = {},
): Promise<Completion> {
  return foldCompletion(streamInfill(deps, input, call));
}
