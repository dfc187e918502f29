// The generation loop of one request on one slot: prefix reuse, sampling, incremental text,
// stop sequences, logprobs, limits and cancellation, reported as engine events.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { ParsedOutput } from "../chat/chatOutputParser.js";
import type { EngineEvent, EngineFinishReason, GenerationRequest, TokenLogprob } from "../types.js";
import { ContextDecoder } from "./contextDecoder.js";
import type { ContextStepGate } from "./contextStepGate.js";
import { buildEvaluateOptions } from "./evaluateOptions.js";
import { IncrementalDetokenizer } from "./incrementalDetokenizer.js";
import type { LoadedModel } from "./loadedModel.js";
import type { PreparedGeneration } from "./prepareGeneration.js";
import { StopSequenceMatcher } from "./stopSequenceMatcher.js";

/** A prepared generation (prompt tokens, output reader, markers) on the slot it was given. */
export interface SlotGeneration extends PreparedGeneration {
  model: LoadedModel;
  slot: number;
  sequence: LlamaContextSequence;
  request: GenerationRequest;
  signal: AbortSignal;
  /** Epoch ms after which generation ends with finish reason "timeout". */
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
  const options = buildEvaluateOptions(
    model,
    request.sampling,
    {
      mayConstrain: run.mayConstrain,
      stateForNextToken: () => run.output.grammarState(),
      turnEndTokens: run.turnEndTokens,
      mayEndTurn: () => run.output.mayEndTurn(),
      messageEndTokens: run.messageEndTokens,
    },
    (count) => [...promptTokens.slice(-count), ...generated.slice(-count)].slice(-count),
  );
  const stops = new StopSequenceMatcher([...request.stop, ...run.turnEndTriggers]);
  const detokenizer = new IncrementalDetokenizer(model.model, promptTokens, run.preservedTokens);
  const maxTokens = Math.min(
    request.maxTokens ?? Number.POSITIVE_INFINITY,
    model.contextSize - promptTokens.length,
  );

  const startedAt = performance.now();
  let firstTokenAt = startedAt;
  let lastTokenAt = startedAt;
  let reason: EngineFinishReason = "length";
  let stopSequence: string | undefined;
  const pending = new PendingOutput(request.topLogprobs !== undefined);
  let sentOutput = false;

  const interrupted = () => signal.aborted || Date.now() >= run.deadline;
  const lastChunk =
    maxTokens > 0 && !interrupted()
      ? await evaluatePromptAhead(sequence, gate, promptTokens.slice(cachedPromptTokens), interrupted)
      : undefined;
  if (lastChunk) {
    const outputs = tokensAfter(
      model,
      sequence,
      lastChunk,
      request,
      options,
      lastChunk.length + maxTokens - 1,
    );
    for await (const output of gate.between(outputs, run.slot, signal)) {
      lastTokenAt = performance.now();
      if (generated.length === 0) firstTokenAt = lastTokenAt;
      if (model.model.isEogToken(output.token) && !run.messageEndTokens.has(output.token)) {
        reason = "stop";
        break;
      }
      generated.push(output.token);
      if (request.topLogprobs !== undefined && output.probabilities)
        pending.addLogprob(
          describeLogprob(
            model,
            output.token,
            detokenizer.context(),
            output.probabilities,
            request.topLogprobs,
          ),
        );
      const scan = stops.push(detokenizer.push(output.token));
      pending.add(run.output.read(scan.emit, 1), 1);
      if (pending.hasOutput && (!sentOutput || pending.tokens >= run.streamInterval)) {
        for (const event of pending.flush()) yield event;
        sentOutput = true;
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
      if (generated.length >= maxTokens) break;
      if (Date.now() >= run.deadline) {
        reason = "timeout";
        break;
      }
    }
  } else if (maxTokens > 0 && Date.now() >= run.deadline) reason = "timeout";
  if (signal.aborted) reason = "cancelled";
  pending.add(run.output.read(stops.flush(), 0), 0);
  const { events, toolCalls, truncatedToolCall, reasoningTokens } = run.output.finish();
  pending.add(events, 0);
  for (const event of pending.flush()) yield event;

  const promptSeconds = (firstTokenAt - startedAt) / 1000;
  const generationSeconds = (lastTokenAt - firstTokenAt) / 1000;
  const evaluatedPromptTokens = promptTokens.length - cachedPromptTokens;
  yield {
    type: "finished",
    reason,
    stopSequence,
    toolCalls,
    ...(truncatedToolCall !== undefined ? { truncatedToolCall } : {}),
    usage: {
      promptTokens: promptTokens.length,
      completionTokens: generated.length,
      reasoningTokens,
      cachedPromptTokens,
    },
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

/** Prompt tokens per decode while a long prompt is evaluated ahead of generation (see evaluatePromptAhead). */
const PROMPT_CHUNK_TOKENS = 256;

/**
 * Evaluates all but the last chunk of the uncached prompt, one chunk per decode, and returns the
 * last chunk (which `evaluate` turns into the first token); undefined when `interrupted()` (the
 * request was cancelled or timed out) stopped it between two chunks. node-llama-cpp evaluates a
 * prompt given to `evaluate` to its end before it looks at anything else, so a long prompt could not
 * be cancelled for seconds and held its slot. The chunks already evaluated stay in the slot's KV
 * cache, where the next request that shares them reuses them.
 */
async function evaluatePromptAhead(
  sequence: LlamaContextSequence,
  gate: ContextStepGate,
  tokens: Token[],
  interrupted: () => boolean,
): Promise<Token[] | undefined> {
  const chunk = Math.max(1, Math.min(PROMPT_CHUNK_TOKENS, sequence.context.batchSize));
  let start = 0;
  while (tokens.length - start > chunk) {
    if (interrupted()) return undefined;
    const end = start + chunk;
    await gate.decode(() => sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, end)));
    start = end;
  }
  return interrupted() ? undefined : tokens.slice(start);
}

/**
 * The generation's tokens after the prompt's `tokens`: on the context's decoder where it can run
 * them (see ContextDecoder), else through node-llama-cpp's evaluate; with their probabilities
 * (logprobs) through evaluate. At most `decodedTokens` are decoded (the prompt's and all output
 * tokens but the last).
 */
function tokensAfter(
  model: LoadedModel,
  sequence: LlamaContextSequence,
  tokens: Token[],
  request: GenerationRequest,
  options: ReturnType<typeof buildEvaluateOptions>,
  decodedTokens: number,
): AsyncIterable<GeneratedToken> {
  if (request.topLogprobs !== undefined)
    return sequence.evaluateWithMetadata(tokens, { probabilities: true }, options);
  if (ContextDecoder.decodesDirectly(sequence, decodedTokens))
    return generatedTokens(model.contextDecoder(sequence).generate(sequence, tokens, options, decodedTokens));
  return generatedTokens(sequence.evaluate(tokens, options));
}

async function* generatedTokens(tokens: AsyncIterable<Token>): AsyncGenerator<GeneratedToken> {
  for await (const token of tokens) yield { token };
}

function describeLogprob(
  model: LoadedModel,
  token: Token,
  /** What the streamed text's detokenizer reads before this token, so a token's text is the stream's. */
  context: readonly Token[],
  probabilities: Map<Token, number>,
  top: number,
): TokenLogprob {
  const entry = (candidate: Token, probability: number) => {
    const text = model.tokenText(candidate, context);
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

/**
 * Output read since the last event was sent: sent together, the tokens counted on the first
 * event and logprobs on the answer text (or on an empty text event when there is none).
 */
class PendingOutput {
  private events: ParsedOutput[] = [];
  private logprobs: TokenLogprob[] = [];
  tokens = 0;

  constructor(private readonly withLogprobs: boolean) {}

  get hasOutput(): boolean {
    return this.events.length > 0;
  }

  add(events: readonly ParsedOutput[], tokens: number): void {
    for (const event of events) {
      const last = this.events.at(-1);
      if (event.type === "text" && last?.type === "text" && last.channel === event.channel)
        last.text += event.text;
      else this.events.push({ ...event });
    }
    this.tokens += tokens;
  }

  addLogprob(logprob: TokenLogprob): void {
    this.logprobs.push(logprob);
  }

  /** The events to send now (none when nothing is pending). */
  flush(): EngineEvent[] {
    if (this.events.length === 0 && this.tokens === 0 && this.logprobs.length === 0) return NO_EVENTS;
    const events = this.events.length
      ? this.events
      : [{ type: "text", channel: "content", text: "" } as const];
    let tokenCount = this.tokens;
    let logprobsSent = false;
    const sent = events.map((event, index): EngineEvent => {
      const counted = tokenCount;
      tokenCount = 0;
      if (event.type === "toolCall") return { ...event, tokenCount: counted };
      const attach =
        this.withLogprobs && !logprobsSent && (event.channel === "content" || index === events.length - 1);
      logprobsSent ||= attach;
      return attach
        ? { ...event, tokenCount: counted, logprobs: this.logprobs }
        : { ...event, tokenCount: counted };
    });
    this.events = [];
    this.logprobs = [];
    this.tokens = 0;
    return sent;
  }
}

const NO_EVENTS: EngineEvent[] = [];
