// POST /api/generate as one of three resolvers: the chat resolver for a prompt the model's template
// wraps (with `system`), the completion resolver for `raw: true`, the infill resolver when a `suffix`
// asks for the middle. Their results and events become Ollama's generate objects (`response`).
import type {
  ChatCompletion,
  ChatCompletionEvent,
  ChatCompletionInput,
  CompletionEvent,
  CompletionInput,
  InfillInput,
} from "../../resolvers/index.js";
import { OpenAiError } from "../openai/errors/openAiError.js";
import { answerHead, doneFields, type ServedFinishReason, streamEnd, toWireLogprobs } from "./answers.js";
import {
  toGenerationFields,
  toJsonSchema,
  toLogprobFields,
  toReasoningEffort,
  toResponseFormat,
} from "./options.js";
import type { ErrorBody, GenerateChunk, GenerateDone, GenerateRequest } from "./protocol.js";

export type GeneratePlan =
  | { kind: "chat"; input: ChatCompletionInput }
  | { kind: "completion"; input: CompletionInput }
  | { kind: "infill"; input: InfillInput };

export function planGenerate(request: GenerateRequest, model: string): GeneratePlan {
  refuseUnsupported(request);
  const fields = toGenerationFields(request.options, request);
  if (request.suffix) {
    return {
      kind: "infill",
      input: Object.assign(fields, completionOutput(request), {
        model,
        inputPrefix: request.prompt,
        inputSuffix: request.suffix,
      }),
    };
  }
  if (request.raw)
    return {
      kind: "completion",
      input: Object.assign(fields, completionOutput(request), { model, prompt: request.prompt }),
    };
  return {
    kind: "chat",
    input: Object.assign(fields, toLogprobFields(request), {
      model,
      messages: [
        ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
        { role: "user" as const, content: request.prompt },
      ],
      responseFormat: toResponseFormat(request.format),
      reasoningEffort: toReasoningEffort(request.think),
    }),
  };
}

function completionOutput(request: GenerateRequest): Pick<CompletionInput, "jsonSchema" | "logprobs"> {
  return {
    jsonSchema: toJsonSchema(request.format),
    logprobs: request.logprobs ? (request.top_logprobs ?? 0) : undefined,
  };
}

function refuseUnsupported(request: GenerateRequest): void {
  if (request.images?.length)
    throw OpenAiError.invalidRequest(
      "images",
      "Invalid 'images': images are not supported: the served models read text only",
    );
  if (request.template)
    throw OpenAiError.invalidRequest(
      "template",
      "Invalid 'template': the model's own chat template is used; send raw: true with a prompt you rendered",
    );
  if (request.context?.length)
    throw OpenAiError.invalidRequest(
      "context",
      "Invalid 'context': continuing from a previous answer's context is not supported; send the conversation to /api/chat",
    );
}

/**
 * A generate's whole answer, for `stream: false`: the chat resolver's content, or a completion's text;
 * `model` is the name the request gave (Ollama echoes it).
 */
export function toGenerateDone(
  answer: Pick<ChatCompletion, "usage" | "timings" | "logprobs"> & {
    finishReason: ServedFinishReason;
    text: string;
    reasoning: string | null;
  },
  model: string,
): GenerateDone {
  return {
    ...answerHead(model),
    response: answer.text,
    ...(answer.reasoning !== null ? { thinking: answer.reasoning } : {}),
    ...(answer.logprobs ? { logprobs: toWireLogprobs(answer.logprobs) } : {}),
    ...doneFields(answer.finishReason, answer),
  };
}

/** The chat resolver's events, or the completion resolver's (raw and infill), as streamed generate objects. */
export function generateChunkTranslation(
  model: string,
): (event: ChatCompletionEvent | CompletionEvent) => (GenerateChunk | GenerateDone | ErrorBody)[] {
  const piece = (response: string, logprobs: ChatCompletion["logprobs"]): GenerateChunk => ({
    ...answerHead(model),
    response,
    ...(logprobs ? { logprobs: toWireLogprobs(logprobs) } : {}),
    done: false,
  });
  return (event) => {
    switch (event.type) {
      case "started":
        return [];
      case "contentDelta":
        return [piece(event.content, event.logprobs)];
      case "textDelta":
        return [piece(event.text, event.logprobs)];
      case "reasoningDelta":
        return [{ ...answerHead(model), response: "", thinking: event.reasoning, done: false }];
      case "toolCallDelta":
        return [];
      case "finished":
        return streamEnd(event, (reason) => [
          { ...answerHead(model), response: "", ...doneFields(reason, event) },
        ]);
    }
  };
}
