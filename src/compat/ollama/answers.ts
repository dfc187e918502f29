// What Ollama's answers share, whatever the endpoint: the head of every object, the last object's
// counts and durations, the done reason, logprobs and tool calls in Ollama's shapes.
import type {
  AssembledToolCall,
  ChatCompletion,
  FinishReason,
  Resolvers,
  Timings,
  Usage,
} from "../../resolvers/index.js";
import { parseToolArguments } from "../shared/toolArguments.js";
import { internalError } from "./errors.js";
import type { AnswerStats, DoneReason, ErrorBody, WireLogprob, WireToolCall } from "./protocol.js";

const NANOSECONDS_PER_MS = 1_000_000;

type TokenLogprobs = ChatCompletion["logprobs"];

/**
 * The model a request names: Ollama's clients may add the default tag (`tiny:latest` for `tiny`),
 * which inferql's ids do not carry. An unknown name is left for the resolver to refuse.
 */
export function modelIdOf(resolvers: Resolvers, name: string): string {
  if (resolvers.findModel(name) || !name.endsWith(":latest")) return name;
  const untagged = name.slice(0, -":latest".length);
  return resolvers.findModel(untagged) ? untagged : name;
}

export function answerHead(model: string): { model: string; created_at: string } {
  return { model, created_at: new Date().toISOString() };
}

/** How a generation that was served ended: neither failed nor cancelled. */
export type ServedFinishReason = Exclude<FinishReason, "error" | "cancelled">;

/** What ended a generation, with its counts: a finished event, or a whole result. */
interface Outcome {
  finishReason: FinishReason;
  usage: Usage;
  timings: Timings;
}

/**
 * The fields of an answer's last object: done, why (Ollama ends on "stop", tool calls included, or
 * "length", for any limit, time limits too), and the counts.
 */
export function doneFields(
  reason: ServedFinishReason,
  { usage, timings }: Outcome,
): AnswerStats & { done: true; done_reason: DoneReason } {
  return {
    done: true,
    done_reason: reason === "length" || reason === "timeout" ? "length" : "stop",
    ...toAnswerStats(usage, timings),
  };
}

/**
 * The objects a stream ends with: none when the generation was cancelled (its client is gone), an
 * error line when it failed after it started, else the last objects of a served answer.
 */
export function streamEnd<Message>(
  outcome: Outcome,
  served: (reason: ServedFinishReason) => Message[],
): (Message | ErrorBody)[] {
  if (outcome.finishReason === "cancelled") return [];
  if (outcome.finishReason === "error") return [internalError().body()];
  return served(outcome.finishReason);
}

/** The whole prompt's tokens (as Ollama's clients count input), and the time each stage took. */
function toAnswerStats(usage: Usage, timings: Timings): AnswerStats {
  const nanoseconds = (ms: number) => Math.round(ms * NANOSECONDS_PER_MS);
  return {
    total_duration: nanoseconds(timings.queueMs + timings.promptMs + timings.generationMs),
    // The models are loaded when the server starts: no request waits for one.
    load_duration: 0,
    prompt_eval_count: usage.promptTokens,
    prompt_eval_duration: nanoseconds(timings.promptMs),
    eval_count: usage.completionTokens,
    eval_duration: nanoseconds(timings.generationMs),
  };
}

export function toWireLogprobs(logprobs: TokenLogprobs): WireLogprob[] | undefined {
  return logprobs?.map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes,
    top_logprobs: entry.topLogprobs.map(({ token, logprob, bytes }) => ({ token, logprob, bytes })),
  }));
}

/** Ollama carries a call's arguments as an object, and numbers the calls of a message. */
export function toWireToolCalls(calls: readonly AssembledToolCall[]): WireToolCall[] {
  return calls.map((call, index) => ({
    id: call.id,
    function: { index, name: call.name, arguments: parseToolArguments(call.arguments) },
  }));
}
