// The chat completion operation: streamed as typed events, or folded into one result.
import type { TokenLogprob } from "../../inference/types.js";
import type { GenerationCall, InferenceDeps } from "../context.js";
import { foldStream } from "../foldStream.js";
import { type FinishReason, streamGeneration, type Timings, type Usage } from "../generation.js";
import { checkMessageCount, limitMaxTokens } from "../generationLimits.js";
import { newId } from "../ids.js";
import { chooseOutputConstraint } from "../outputConstraint.js";
import { parseInput } from "../parseInput.js";
import { toLoraSelection, toSamplingOptions, toStopList } from "../samplingInput.js";
import { type ChatCompletionInput, chatCompletionInputSchema } from "./chatInput.js";
import { toTemplateMessages } from "./templateMessages.js";
import { ToolCallStreamParser } from "./toolCallStreamParser.js";
import { planTools, type ToolPlan } from "./toolPlan.js";

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
      toolCalls: AssembledToolCall[];
      stopSequence?: string;
    };

export interface ChatCompletion {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: string | null;
  toolCalls: AssembledToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  timings: Timings;
  logprobs?: TokenLogprob[];
}

/**
 * Validates the input at once (throwing InvalidInputError), then streams events:
 * started, then content or tool-call deltas, then finished.
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
  const constraint =
    plan.mode === "forced"
      ? { kind: "jsonSchema" as const, schema: plan.callsSchema, field: "tools" }
      : chooseOutputConstraint(parsed.grammar, parsed.responseFormat);
  const model = parsed.model ?? deps.registry.defaultModelId;
  const id = newId("chatcmpl-");
  const request = {
    id,
    model,
    prompt: {
      kind: "chat" as const,
      messages: toTemplateMessages(parsed.messages, plan.mode === "none" ? undefined : plan.instructions),
    },
    maxTokens,
    sampling: toSamplingOptions(parsed),
    stop: toStopList(parsed.stop),
    constraint,
    lora: toLoraSelection(parsed.lora),
    cachePrompt: parsed.cachePrompt,
    topLogprobs: parsed.logprobs ? (parsed.topLogprobs ?? 0) : undefined,
    origin: call.origin,
  };
  return chatEvents(deps, plan, request, call.signal);
}

export async function createChatCompletion(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
  call: GenerationCall = {},
): Promise<ChatCompletion> {
  const { started, finished, logprobs } = await foldStream(streamChatCompletion(deps, input, call));
  const { id, model, created } = started;
  const { content, toolCalls, finishReason, usage, timings } = finished;
  return {
    id,
    model,
    created,
    content,
    toolCalls,
    finishReason,
    usage,
    timings,
    ...(logprobs ? { logprobs } : {}),
  };
}

async function* chatEvents(
  deps: InferenceDeps,
  plan: ToolPlan,
  request: Parameters<typeof streamGeneration>[1],
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionEvent> {
  const { id, model } = request;
  const created = Math.floor(Date.now() / 1000);
  const forcedCalls = plan.mode === "forced" ? new ToolCallStreamParser() : undefined;
  const callIds: string[] = [];
  let content = "";
  /** In auto mode, output that opens with "[" may be a tool-call array: held until it is complete. */
  let heldForToolCalls: string | undefined;

  for await (const event of streamGeneration(deps, request, signal)) {
    if (event.type === "started") {
      yield { ...event, id, model, created };
    } else if (event.type === "text") {
      if (forcedCalls) {
        for (const fragment of forcedCalls.push(event.text)) {
          if (fragment.name !== undefined) callIds[fragment.index] = newId("call_");
          yield {
            type: "toolCallDelta",
            id,
            index: fragment.index,
            ...(fragment.name !== undefined ? { callId: callIds[fragment.index], name: fragment.name } : {}),
            argumentsDelta: fragment.argumentsDelta,
          };
        }
      } else if (
        plan.mode === "auto" &&
        (heldForToolCalls !== undefined || (content.trim() === "" && event.text.trimStart().startsWith("[")))
      ) {
        heldForToolCalls = (heldForToolCalls ?? "") + event.text;
      } else {
        content += event.text;
        yield { type: "contentDelta", id, content: event.text, logprobs: event.logprobs };
      }
    } else {
      let toolCalls: AssembledToolCall[] = [];
      if (forcedCalls) {
        toolCalls = forcedCalls.calls.map((call, index) => ({ id: callIds[index], ...call }));
      } else if (heldForToolCalls !== undefined && plan.mode === "auto") {
        const parsed = parseToolCallArray(
          heldForToolCalls,
          plan.tools.map((tool) => tool.function.name),
        );
        if (parsed) {
          toolCalls = parsed.map((call) => ({ id: newId("call_"), ...call }));
          for (const [index, call] of toolCalls.entries())
            yield {
              type: "toolCallDelta",
              id,
              index,
              callId: call.id,
              name: call.name,
              argumentsDelta: call.arguments,
            };
        } else {
          content += heldForToolCalls;
          yield { type: "contentDelta", id, content: heldForToolCalls };
        }
      }
      const finishReason =
        toolCalls.length > 0 && event.finishReason === "stop" ? "tool_calls" : event.finishReason;
      yield {
        type: "finished",
        id,
        finishReason,
        usage: event.usage,
        timings: event.timings,
        content: toolCalls.length > 0 || plan.mode === "forced" ? null : content,
        toolCalls,
        stopSequence: event.stopSequence,
      };
    }
  }
}

/** The calls in a complete model answer of the form [{"name": ..., "arguments": {...}}], or undefined. */
function parseToolCallArray(
  text: string,
  toolNames: string[],
): { name: string; arguments: string }[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const calls: { name: string; arguments: string }[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) return undefined;
    const { name, arguments: args } = item as { name?: unknown; arguments?: unknown };
    if (typeof name !== "string" || !toolNames.includes(name) || typeof args !== "object" || args === null)
      return undefined;
    calls.push({ name, arguments: JSON.stringify(args) });
  }
  return calls;
}
