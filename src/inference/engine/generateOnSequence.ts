// The generation loop of one request on one slot: prefix reuse, sampling, incremental text,
// stop sequences, logprobs, limits and cancellation, reported as engine events.
import { type LlamaContextSequence, type LlamaGrammar, LlamaText, type Token } from "node-llama-cpp";
import type { EngineEvent, EngineFinishReason, GenerationRequest, TokenLogprob } from "../types.js";
import type { ContextStepGate } from "./contextStepGate.js";
import { buildEvaluateOptions } from "./evaluateOptions.js";
import { IncrementalDetokenizer } from "./incrementalDetokenizer.js";
import type { LoadedModel } from "./loadedModel.js";
import { StopSequenceMatcher } from "./stopSequenceMatcher.js";

export interface SlotGeneration {
  model: LoadedModel;
  slot: number;
  sequence: LlamaContextSequence;
  request: GenerationRequest;
  promptTokens: Token[];
  grammar?: LlamaGrammar;
  signal: AbortSignal;
  /** Epoch ms after which generation ends with finish reason "length". */
  deadline: number;
  queueMs: number;
  /** Tokens per text event after the first one: text is held until this many have accumulated. */
  streamInterval: number;
}

interface GeneratedToken {
  token: Token;
  probabilities?: Map<Token, number>;
}

export async function* generateOnSequence(run: SlotGeneration): AsyncGenerator<EngineEvent> {
  const { model, sequence, request, promptTokens, signal } = run;
  const gate = model.stepGate(sequence);
  const cachedPromptTokens = await reusePromptPrefix(sequence, gate, promptTokens, request.cachePrompt);
  yield { type: "started", slot: run.slot, promptTokens: promptTokens.length, cachedPromptTokens };

  const generated: Token[] = [];
  const options = buildEvaluateOptions(model.model, request.sampling, run.grammar, () => [
    ...promptTokens.slice(-64),
    ...generated,
  ]);
  const grammarStops = (run.grammar?.stopGenerationTriggers ?? []).flatMap(triggerText);
  const stops = new StopSequenceMatcher([...request.stop, ...grammarStops]);
  const detokenizer = new IncrementalDetokenizer(model.model, promptTokens);
  const maxTokens = Math.min(
    request.maxTokens ?? Number.POSITIVE_INFINITY,
    model.contextSize - promptTokens.length,
  );

  const startedAt = performance.now();
  let firstTokenAt = startedAt;
  let lastTokenAt = startedAt;
  let reason: EngineFinishReason = "length";
  let stopSequence: string | undefined;
  let pendingText = "";
  let pendingLogprobs: TokenLogprob[] = [];
  let pendingTokens = 0;
  let sentText = false;

  if (maxTokens > 0 && !signal.aborted) {
    const outputs = evaluate(sequence, promptTokens.slice(cachedPromptTokens), request, options);
    for await (const output of gate.between(outputs, run.slot, signal)) {
      lastTokenAt = performance.now();
      if (generated.length === 0) firstTokenAt = lastTokenAt;
      if (model.model.isEogToken(output.token)) {
        reason = "stop";
        break;
      }
      generated.push(output.token);
      pendingTokens++;
      if (request.topLogprobs !== undefined && output.probabilities)
        pendingLogprobs.push(
          describeLogprob(
            model,
            output.token,
            generated.at(-2) ?? promptTokens.at(-1),
            output.probabilities,
            request.topLogprobs,
          ),
        );
      const scan = stops.push(detokenizer.push(output.token));
      pendingText += scan.emit;
      if (pendingText && (!sentText || pendingTokens >= run.streamInterval)) {
        yield textEvent(pendingText, pendingTokens, pendingLogprobs, request);
        sentText = true;
        pendingText = "";
        pendingLogprobs = [];
        pendingTokens = 0;
      }
      if (scan.matched !== undefined) {
        reason = "stop";
        if (request.stop.includes(scan.matched)) stopSequence = scan.matched;
        break;
      }
      if (signal.aborted) {
        reason = "cancelled";
        break;
      }
      if (generated.length >= maxTokens || Date.now() >= run.deadline) break;
    }
  }
  if (signal.aborted) reason = "cancelled";
  const rest = pendingText + stops.flush();
  if (rest || pendingTokens) yield textEvent(rest, pendingTokens, pendingLogprobs, request);

  const promptSeconds = (firstTokenAt - startedAt) / 1000;
  const generationSeconds = (lastTokenAt - firstTokenAt) / 1000;
  const evaluatedPromptTokens = promptTokens.length - cachedPromptTokens;
  yield {
    type: "finished",
    reason,
    stopSequence,
    usage: { promptTokens: promptTokens.length, completionTokens: generated.length, cachedPromptTokens },
    timings: {
      queueMs: run.queueMs,
      promptMs: promptSeconds * 1000,
      generationMs: generationSeconds * 1000,
      promptTokensPerSecond: promptSeconds > 0 ? evaluatedPromptTokens / promptSeconds : 0,
      generatedTokensPerSecond: generationSeconds > 0 ? (generated.length - 1) / generationSeconds : 0,
    },
  };
}

/**
 * Keeps the slot's KV cache for the longest common prefix with the new prompt and erases the rest.
 * At least one prompt token is always evaluated, since sampling needs its logits. The erase goes
 * through the context's step gate, so generations on other slots cannot hold it off.
 */
async function reusePromptPrefix(
  sequence: LlamaContextSequence,
  gate: ContextStepGate,
  promptTokens: Token[],
  cachePrompt: boolean,
): Promise<number> {
  const common = cachePrompt ? sequence.compareContextTokens(promptTokens).firstDifferentIndex : 0;
  const reused = Math.max(0, Math.min(common, promptTokens.length - 1));
  if (sequence.nextTokenIndex > reused)
    await gate.edit(() =>
      sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]),
    );
  return reused;
}

async function* evaluate(
  sequence: LlamaContextSequence,
  tokens: Token[],
  request: GenerationRequest,
  options: ReturnType<typeof buildEvaluateOptions>,
): AsyncGenerator<GeneratedToken> {
  if (request.topLogprobs === undefined) {
    for await (const token of sequence.evaluate(tokens, options)) yield { token };
    return;
  }
  yield* sequence.evaluateWithMetadata(tokens, { probabilities: true }, options);
}

function textEvent(
  text: string,
  tokenCount: number,
  logprobs: TokenLogprob[],
  request: GenerationRequest,
): EngineEvent {
  return request.topLogprobs === undefined
    ? { type: "text", text, tokenCount }
    : { type: "text", text, tokenCount, logprobs };
}

function describeLogprob(
  model: LoadedModel,
  token: Token,
  previous: Token | undefined,
  probabilities: Map<Token, number>,
  top: number,
): TokenLogprob {
  const entry = (candidate: Token, probability: number) => {
    const text = model.tokenText(candidate, previous);
    return {
      token: text,
      logprob: Math.log(Math.max(probability, Number.MIN_VALUE)),
      bytes: [...Buffer.from(text)],
    };
  };
  const alternatives: TokenLogprob["topLogprobs"] = [];
  for (const [candidate, probability] of probabilities) {
    if (alternatives.length >= top) break;
    alternatives.push(entry(candidate, probability));
  }
  return { ...entry(token, probabilities.get(token) ?? 0), topLogprobs: alternatives };
}

/** Grammar stop triggers as plain text; token-only triggers cannot match text and are skipped. */
function triggerText(trigger: NonNullable<LlamaGrammar["stopGenerationTriggers"]>[number]): string[] {
  if (typeof trigger === "string") return [trigger];
  if (trigger instanceof LlamaText) return [trigger.toString()];
  return trigger.every((part) => typeof part === "string") ? [trigger.join("")] : [];
}
