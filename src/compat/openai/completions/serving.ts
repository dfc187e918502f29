// Translation between the completions wire format and the completion resolver's input and result.
import type { Completion, CompletionInput, InfillInput } from "../../../resolvers/index.js";
import { OpenAiError } from "../errors/openAiError.js";
import type { ParamRenames } from "../errors/wireParam.js";
import {
  finishReasonDetail,
  systemFingerprint,
  toWireTimings,
  toWireUsage,
  type WireFinishReason,
} from "../shared/responseFields.js";
import {
  type StructuredOutput,
  structuredOutputRenames,
  toStructuredOutput,
  toTextConstraint,
} from "../shared/structuredOutputs.js";
import { generationParamRenames, toGenerationInput } from "../shared/toGenerationInput.js";
import type { CompletionRequest, CompletionResponse, WireCompletionLogprobs } from "./protocol.js";

type TokenLogprob = NonNullable<Completion["logprobs"]>[number];

/**
 * The resolver call a completions request makes: a completion of its prompt, or, with a `suffix`
 * (OpenAI's insert mode, which Ollama's /v1/completions takes too), the infill between the two.
 */
export type CompletionCall =
  | { kind: "completion"; input: CompletionInput }
  | { kind: "infill"; input: InfillInput };

export function toCompletionCall(request: CompletionRequest): CompletionCall {
  const { prompt, suffix } = request;
  if (!suffix) return { kind: "completion", input: Object.assign(outputFields(request), { prompt }) };
  if (typeof prompt !== "string")
    throw OpenAiError.invalidRequest(
      "suffix",
      "Invalid 'suffix': a suffix needs a text prompt, not token ids",
    );
  return {
    kind: "infill",
    input: Object.assign(outputFields(request), { inputPrefix: prompt, inputSuffix: suffix }),
  };
}

/** The fields a completion and an infill share: sampling, limits, output constraints, logprobs. */
function outputFields(request: CompletionRequest) {
  const output = completionStructuredOutput(request);
  return Object.assign(
    toGenerationInput(request),
    {
      grammar: request.grammar,
      jsonSchema:
        output?.kind === "json"
          ? output.schema
          : output?.kind === "jsonObject"
            ? ANY_OBJECT
            : request.json_schema,
      logprobs: request.logprobs,
    },
    toTextConstraint(output),
  );
}

const ANY_OBJECT = { type: "object" };

/** vLLM's structured outputs, checked against llama-server's own constraint fields. */
function completionStructuredOutput(request: CompletionRequest): StructuredOutput | undefined {
  return toStructuredOutput(request, [
    ...(request.json_schema !== undefined ? ["json_schema"] : []),
    ...(request.grammar !== undefined ? ["grammar"] : []),
  ]);
}

/** Wire names of resolver fields that differ from their snake_case form, for this request. */
export function completionParamRenames(request: CompletionRequest): ParamRenames {
  return {
    ...generationParamRenames(request),
    ...structuredOutputRenames(completionStructuredOutput(request), "jsonSchema"),
    inputPrefix: "prompt",
    inputSuffix: "suffix",
  };
}

/**
 * Builds legacy logprobs across a stream, keeping each token's offset into prompt + completion (into
 * the completion, for a prompt of token ids: its text is not known here).
 */
export class CompletionLogprobsWriter {
  private offset: number;

  constructor(prompt: string | readonly number[]) {
    this.offset = typeof prompt === "string" ? prompt.length : 0;
  }

  write(logprobs: readonly TokenLogprob[]): WireCompletionLogprobs {
    const wire: WireCompletionLogprobs = {
      tokens: [],
      token_logprobs: [],
      top_logprobs: [],
      text_offset: [],
    };
    for (const { token, logprob, topLogprobs } of logprobs) {
      wire.tokens.push(token);
      wire.token_logprobs.push(logprob);
      wire.top_logprobs.push(Object.fromEntries(topLogprobs.map((top) => [top.token, top.logprob])));
      wire.text_offset.push(this.offset);
      this.offset += token.length;
    }
    return wire;
  }
}

export function toCompletionResponse(
  completion: Completion,
  finishReason: WireFinishReason,
  prompt: string | readonly number[],
): CompletionResponse {
  return {
    id: completion.id,
    object: "text_completion",
    created: completion.created,
    model: completion.model,
    system_fingerprint: systemFingerprint(completion.model),
    choices: [
      {
        index: 0,
        text: completion.text,
        logprobs: completion.logprobs
          ? new CompletionLogprobsWriter(prompt).write(completion.logprobs)
          : null,
        finish_reason: finishReason,
        ...finishReasonDetail(completion.finishReason),
      },
    ],
    usage: toWireUsage(completion.usage),
    timings: toWireTimings(completion.timings, completion.usage),
  };
}
