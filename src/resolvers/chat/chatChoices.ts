// A chat completion's `n` choices: independent generations of one prompt, run concurrently on
// separate slots (beyond the free slots they queue) and merged into one stream in arrival order.
import type { GenerationRequest } from "../../inference/types.js";
import { NO_TIMINGS, type Usage } from "../generation.js";
import type { ChatCompletionEvent, ChoiceEvent } from "./chatCompletion.js";

type FinishedEvent = Extract<ChatCompletionEvent, { type: "finished" }>;

interface PromptCounts {
  promptTokens: number;
  cachedPromptTokens: number;
}

/** Streams one choice: the generation of `request`, aborted by `signal`. */
export type RunChoice = (
  request: GenerationRequest,
  choiceIndex: number,
  signal: AbortSignal,
) => AsyncGenerator<ChoiceEvent>;

/**
 * Merges the choices' events: `started` once (the first choice to start), every choice's deltas and
 * its own finished event, the last of which carries the usage of all choices. An error before the
 * stream started fails the request as a whole (the other choices are stopped); after it, a choice
 * that fails finishes alone with "error" ("cancelled" once the request was aborted). Aborting
 * `signal`, or leaving the stream early, aborts every choice.
 */
export async function* streamChoices(
  request: GenerationRequest,
  choiceCount: number,
  signal: AbortSignal | undefined,
  runChoice: RunChoice,
): AsyncGenerator<ChatCompletionEvent> {
  const { id, model } = request;
  const created = Math.floor(Date.now() / 1000);
  const controller = new AbortController();
  const abortAll = () => controller.abort();
  if (signal?.aborted) abortAll();
  else signal?.addEventListener("abort", abortAll, { once: true });

  const seeds = choiceSeeds(request.sampling.seed, choiceCount);
  const merged = mergeStreams(
    seeds.map((seed, index) => runChoice(choiceRequest(request, index, seed), index, controller.signal)),
  );
  let prompt: PromptCounts | undefined;
  let completionTokens = 0;
  let reasoningTokens = 0;
  let finishedCount = 0;
  try {
    while (true) {
      const next = await merged.next();
      if (next.done) break;
      const item = next.value;
      let event: ChoiceEvent;
      if ("error" in item) {
        if (!prompt) throw item.error;
        event = unstartedChoice(id, item.source, prompt, controller.signal.aborted);
      } else event = item.value;

      if (event.type === "choiceStarted") {
        if (prompt) continue;
        prompt = { promptTokens: event.promptTokens, cachedPromptTokens: event.cachedPromptTokens };
        yield { type: "started", id, model, created, ...prompt, choiceCount };
      } else if (event.type === "finished") {
        finishedCount++;
        completionTokens += event.usage.completionTokens;
        reasoningTokens += event.usage.reasoningTokens;
        // Every choice has the same prompt; a choice's usage is the authority on its size (a remote
        // upstream reports it there only, not when the choice starts).
        yield finishedCount === choiceCount
          ? { ...event, totalUsage: totalUsage(event.usage, completionTokens, reasoningTokens) }
          : event;
      } else yield event;
    }
  } finally {
    // Abort before returning the choices: a choice stream returns only once its generation ends.
    if (finishedCount < choiceCount) controller.abort();
    signal?.removeEventListener("abort", abortAll);
    await merged.return(undefined);
  }
}

/**
 * Choice i's request: its own generation id (choice 0 keeps the request's, so one choice is
 * exactly the request), the request's id as group id (`cancelGeneration` stops every choice),
 * and its own seed.
 */
function choiceRequest(
  request: GenerationRequest,
  index: number,
  seed: number | undefined,
): GenerationRequest {
  return {
    ...request,
    id: index === 0 ? request.id : `${request.id}.${index}`,
    groupId: request.id,
    sampling: { ...request.sampling, seed },
  };
}

/**
 * Choice i samples with seed + i, so that choices differ and a seeded request is reproducible.
 * Unseeded choices stay unseeded: each generation then samples with a random seed of its own.
 */
export function choiceSeeds(seed: number | undefined, choiceCount: number): (number | undefined)[] {
  return Array.from({ length: choiceCount }, (_, index) =>
    seed === undefined ? undefined : (seed + index) >>> 0,
  );
}

/** The prompt counted once and the generated tokens of every choice summed, as OpenAI counts `n`. */
function totalUsage(
  { promptTokens, cachedPromptTokens }: PromptCounts,
  completionTokens: number,
  reasoningTokens: number,
): Usage {
  return {
    promptTokens,
    cachedPromptTokens,
    completionTokens,
    reasoningTokens,
    totalTokens: promptTokens + completionTokens,
  };
}

/** The end of a choice that failed before it started (e.g. the queue was full for it). */
function unstartedChoice(
  id: string,
  choiceIndex: number,
  prompt: PromptCounts,
  aborted: boolean,
): FinishedEvent {
  return {
    type: "finished",
    id,
    choiceIndex,
    finishReason: aborted ? "cancelled" : "error",
    usage: {
      promptTokens: prompt.promptTokens,
      completionTokens: 0,
      reasoningTokens: 0,
      totalTokens: prompt.promptTokens,
      cachedPromptTokens: 0,
    },
    timings: NO_TIMINGS,
    content: "",
    reasoning: null,
    toolCalls: [],
  };
}

type Merged<T> = { source: number; value: T } | { source: number; error: unknown };

/**
 * Interleaves the streams' values as they arrive. A stream that throws is reported once, as an
 * error of its source, and dropped. Returning early returns every stream still open.
 */
async function* mergeStreams<T>(streams: AsyncIterator<T>[]): AsyncGenerator<Merged<T>> {
  type Step = { source: number; result: IteratorResult<T> } | { source: number; error: unknown };
  const pull = (source: number): Promise<Step> =>
    streams[source].next().then(
      (result) => ({ source, result }),
      (error: unknown) => ({ source, error }),
    );
  const pending = new Map(streams.map((_, source) => [source, pull(source)]));
  try {
    while (pending.size > 0) {
      const step = await Promise.race(pending.values());
      if ("error" in step) {
        pending.delete(step.source);
        yield step;
      } else if (step.result.done) pending.delete(step.source);
      else {
        pending.set(step.source, pull(step.source));
        yield { source: step.source, value: step.result.value };
      }
    }
  } finally {
    await Promise.all(
      [...pending.keys()].map((source) => streams[source].return?.(undefined).catch(() => undefined)),
    );
  }
}
