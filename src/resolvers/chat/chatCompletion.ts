// The chat completion operation: streamed as typed events, or folded into one result. A request
// for `n` choices runs n independent generations of one prompt (see chatChoices.ts).
import type { GenerationRequest, TokenLogprob } from "../../inference/types.js";
import type { GenerationCall, InferenceDeps } from "../context.js";
import { type FinishReason, streamGeneration, type Timings, type Usage } from "../generation.js";
import { checkMessageCount, limitMaxTokens } from "../generationLimits.js";
import { newId } from "../ids.js";
import { chooseOutputConstraint } from "../outputConstraint.js";
import { parseInput } from "../parseInput.js";
import { toLoraSelection, toSamplingOptions, toStopList } from "../samplingInput.js";
import { streamChoices } from "./chatChoices.js";
import { type ChatCompletionInput, chatCompletionInputSchema } from "./chatInput.js";
import { toChatPrompt } from "./chatPrompt.js";
import { foldChatStream } from "./foldChatStream.js";
import { planTools } from "./toolPlan.js";

export interface AssembledToolCall {
  id: string;
  name: string;
  /** JSON text, as the OpenAI API carries it. */
  arguments: string;
}

export type ChatCompletionEvent =
  | {
      /** Once, when the first choice has a slot and has evaluated the prompt. */
      type: "started";
      id: string;
      model: string;
      created: number;
      promptTokens: number;
      cachedPromptTokens: number;
      /** How many choices the stream carries (`n`): each ends with its own finished event. */
      choiceCount: number;
    }
  | { type: "contentDelta"; id: string; choiceIndex: number; content: string; logprobs?: TokenLogprob[] }
  | { type: "reasoningDelta"; id: string; choiceIndex: number; reasoning: string }
  | {
      type: "toolCallDelta";
      id: string;
      choiceIndex: number;
      index: number;
      callId?: string;
      name?: string;
      argumentsDelta: string;
    }
  | ChoiceFinishedEvent;

/** One choice ended: why, its token counts and timings, and its assembled answer. */
export interface ChoiceFinishedEvent extends ChoiceOutcome {
  type: "finished";
  id: string;
  /** 0-based, below the request's `n`. */
  choiceIndex: number;
  /**
   * On the stream's last event only (every choice has finished): the token counts of all choices
   * together, the prompt counted once and the completion tokens summed, as OpenAI counts `n`.
   */
  totalUsage?: Usage;
}

/** How one choice ended, with its assembled answer. */
export interface ChoiceOutcome {
  finishReason: FinishReason;
  /** This choice's tokens: the prompt as its slot evaluated it, and what it generated. */
  usage: Usage;
  timings: Timings;
  content: string | null;
  /** The model's reasoning, when it reasoned and the request keeps reasoning separate. */
  reasoning: string | null;
  /** Complete calls only: a call cut off by a limit is not one (the finish reason says so). */
  toolCalls: AssembledToolCall[];
  stopSequence?: string;
}

/** One choice of a complete answer. */
export interface ChatChoice extends ChoiceOutcome {
  /** 0-based, below the request's `n`. */
  index: number;
  logprobs?: TokenLogprob[];
}

/** A complete chat answer: its choices, and for single-choice clients choice 0's fields at the top. */
export interface ChatCompletion {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: string | null;
  reasoning: string | null;
  toolCalls: AssembledToolCall[];
  finishReason: FinishReason;
  /** All choices together: the prompt counted once, the completion tokens summed. */
  usage: Usage;
  timings: Timings;
  logprobs?: TokenLogprob[];
  /** Every choice, by index (one unless `n` asked for more). */
  choices: ChatChoice[];
}

/** What one choice's generation streams, before the choices are merged into one request stream. */
export type ChoiceEvent =
  | { type: "choiceStarted"; promptTokens: number; cachedPromptTokens: number }
  | Exclude<ChatCompletionEvent, { type: "started" }>;

/**
 * Validates the input at once (throwing InvalidInputError), then streams events: started, then
 * content, reasoning or tool-call deltas of each choice, then each choice's finished event.
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
  // An alias selects its model; responses and metrics name the model by its id.
  const model = deps.registry.resolveId(parsed.model ?? deps.registry.defaultModelId);
  const id = newId("chatcmpl-");
  const request: GenerationRequest = {
    id,
    model,
    prompt: toChatPrompt(parsed, plan.tools),
    maxTokens,
    sampling: toSamplingOptions(parsed),
    stop: toStopList(parsed.stop),
    constraint: chooseOutputConstraint(parsed),
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
  return streamChoices(request, parsed.n, call.signal, (choiceRequest, choiceIndex, signal) =>
    choiceEvents(deps, choiceRequest, choiceIndex, signal),
  );
}

export async function createChatCompletion(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
  call: GenerationCall = {},
): Promise<ChatCompletion> {
  const { started, choices, usage } = await foldChatStream(streamChatCompletion(deps, input, call));
  const { id, model, created } = started;
  const [first] = choices;
  return {
    id,
    model,
    created,
    content: first.content,
    reasoning: first.reasoning,
    toolCalls: first.toolCalls,
    finishReason: first.finishReason,
    usage,
    timings: first.timings,
    ...(first.logprobs ? { logprobs: first.logprobs } : {}),
    choices,
  };
}

/** One choice: a generation of the request, its events tagged with the choice's index. */
async function* choiceEvents(
  deps: InferenceDeps,
  request: GenerationRequest,
  choiceIndex: number,
  signal: AbortSignal,
): AsyncGenerator<ChoiceEvent> {
  const id = request.groupId ?? request.id;
  const callIds: string[] = [];
  let content = "";
  let reasoning = "";

  for await (const event of streamGeneration(deps, request, signal)) {
    if (event.type === "started") {
      yield {
        type: "choiceStarted",
        promptTokens: event.promptTokens,
        cachedPromptTokens: event.cachedPromptTokens,
      };
    } else if (event.type === "text") {
      if (event.channel === "reasoning") {
        reasoning += event.text;
        yield { type: "reasoningDelta", id, choiceIndex, reasoning: event.text };
      } else {
        content += event.text;
        yield { type: "contentDelta", id, choiceIndex, content: event.text, logprobs: event.logprobs };
      }
    } else if (event.type === "toolCall") {
      const { index, name, argumentsDelta } = event;
      if (name !== undefined) callIds[index] = newId("call_");
      yield {
        type: "toolCallDelta",
        id,
        choiceIndex,
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
        choiceIndex,
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
