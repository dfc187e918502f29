// The chat completion operation: streamed as typed events, or folded into one result.
import type { GenerationRequest, TokenLogprob } from "../../inference/types.js";
import type { GenerationCall, InferenceDeps } from "../context.js";
import { foldStream } from "../foldStream.js";
import { type FinishReason, streamGeneration, type Timings, type Usage } from "../generation.js";
import { checkMessageCount, limitMaxTokens } from "../generationLimits.js";
import { newId } from "../ids.js";
import { chooseOutputConstraint } from "../outputConstraint.js";
import { parseInput } from "../parseInput.js";
import { toLoraSelection, toSamplingOptions, toStopList } from "../samplingInput.js";
import { type ChatCompletionInput, chatCompletionInputSchema } from "./chatInput.js";
import { toChatPrompt } from "./chatPrompt.js";
import { planTools } from "./toolPlan.js";

export interface AssembledToolCall {
  id: string;
  name: string;
  /** JSON text, as the OpenAI API carries it. */
  arguments: string;
}

export type ChatCompletionEvent =
  | {
      type: "started";
      id: string;
      model: string;
      created: number;
      promptTokens: number;
      cachedPromptTokens: number;
    }
  | { type: "contentDelta"; id: string; content: string; logprobs?: TokenLogprob[] }
  | { type: "reasoningDelta"; id: string; reasoning: string }
  | {
      type: "toolCallDelta";
      id: string;
      index: number;
      callId?: string;
      name?: string;
      argumentsDelta: string;
    }
  | {
      type: "finished";
      id: string;
      finishReason: FinishReason;
      usage: Usage;
      timings: Timings;
      content: string | null;
      /** The model's reasoning, when it reasoned and the request keeps reasoning separate. */
      reasoning: string | null;
      /** Complete calls only: a call cut off by a limit is not one (the finish reason says so). */
      toolCalls: AssembledToolCall[];
      stopSequence?: string;
    };

export interface ChatCompletion {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: string | null;
  reasoning: string | null;
  toolCalls: AssembledToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  timings: Timings;
  logprobs?: TokenLogprob[];
}

/**
 * Validates the input at once (throwing InvalidInputError), then streams events:
 * started, then content, reasoning or tool-call deltas, then finished.
 */
export function streamChatCompletion(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
  call: GenerationCall = {},
): AsyncGenerator<ChatCompletionEvent> {
  const parsed = parseInput(chatCompletionInputSchema, input);
  checkMessageCount(parsed.messages.length, deps.limits);
  const maxTokens = limitMaxTokens(parsed.maxTokens, deps.limits);
  const plan = planTools(parsed);
  const model = parsed.model ?? deps.registry.defaultModelId;
  const id = newId("chatcmpl-");
  const request: GenerationRequest = {
    id,
    model,
    prompt: toChatPrompt(parsed, plan.tools),
    maxTokens,
    sampling: toSamplingOptions(parsed),
    stop: toStopList(parsed.stop),
    constraint: chooseOutputConstraint(parsed.grammar, parsed.responseFormat),
    lora: toLoraSelection(parsed.lora),
    cachePrompt: parsed.cachePrompt,
    topLogprobs: parsed.logprobs ? (parsed.topLogprobs ?? 0) : undefined,
    origin: call.origin,
    chatOutput: {
      ...plan.output,
      reasoning: parsed.reasoningFormat,
      ...(parsed.reasoningBudget !== undefined ? { reasoningBudget: parsed.reasoningBudget } : {}),
    },
  };
  return chatEvents(deps, request, call.signal);
}

export async function createChatCompletion(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
  call: GenerationCall = {},
): Promise<ChatCompletion> {
  const { started, finished, logprobs } = await foldStream(streamChatCompletion(deps, input, call));
  const { id, model, created } = started;
  const { content, reasoning, toolCalls, finishReason, usage, timings } = finished;
  return {
    id,
    model,
    created,
    content,
    reasoning,
    toolCalls,
    finishReason,
    usage,
    timings,
    ...(logprobs ? { logprobs } : {}),
  };
}

async function* chatEvents(
  deps: InferenceDeps,
  request: GenerationRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionEvent> {
  const { id, model } = request;
  const created = Math.floor(Date.now() / 1000);
  const callIds: string[] = [];
  let content = "";
  let reasoning = "";

  for await (const event of streamGeneration(deps, request, signal)) {
    if (event.type === "started") {
      yield { ...event, id, model, created };
    } else if (event.type === "text") {
      if (event.channel === "reasoning") {
        reasoning += event.text;
        yield { type: "reasoningDelta", id, reasoning: event.text };
      } else {
        content += event.text;
        yield { type: "contentDelta", id, content: event.text, logprobs: event.logprobs };
      }
    } else if (event.type === "toolCall") {
      const { index, name, argumentsDelta } = event;
      if (name !== undefined) callIds[index] = newId("call_");
      yield {
        type: "toolCallDelta",
        id,
        index,
        ...(name !== undefined ? { callId: callIds[index], name } : {}),
        argumentsDelta,
      };
    } else {
      const toolCalls = event.toolCalls.map((call, index) => ({ id: callIds[index], ...call }));
      const finishReason =
        toolCalls.length > 0 && event.finishReason === "stop" ? "tool_calls" : event.finishReason;
      yield {
        type: "finished",
        id,
        finishReason,
        usage: event.usage,
        timings: event.timings,
        content: content === "" && toolCalls.length > 0 ? null : content,
        reasoning: reasoning === "" ? null : reasoning,
        toolCalls,
        stopSequence: event.stopSequence,
      };
    }
  }
}
