// Maps inferql's sampling options onto node-llama-cpp's sequence evaluation options.
import { randomInt } from "node:crypto";
import {
  type LlamaGrammarEvaluationState,
  type SequenceEvaluateOptions,
  type Token,
  TokenBias,
} from "node-llama-cpp";
import { LLAMA_SERVER_SAMPLING, type SamplingOptions } from "../types.js";
import type { LoadedModel } from "./loadedModel.js";

/** How far back repeat/presence/frequency penalties look, as llama.cpp's repeat_last_n. */
const PENALTY_WINDOW = 64;
/** OpenAI's logit_bias of -100 means "never"; anything else is an additive logit. */
const BAN_BIAS = -100;
/**
 * What a ban becomes under a grammar: a penalty strong enough that only the grammar overrides it.
 * When every token the grammar allows next is banned, llama.cpp's sampler picks one the grammar
 * rejects, and node-llama-cpp 3.21 then rejects a promise nothing handles (crashing the process)
 * and never finishes the sequence. The grammar wins instead.
 */
const BAN_UNDER_GRAMMAR = -99;

/** What the output reader decides per token: the grammar state, and whether the turn may end now. */
export interface OutputControl {
  /** Whether a grammar constrains any of the output. */
  mayConstrain: boolean;
  stateForNextToken: () => LlamaGrammarEvaluationState | undefined;
  /** The tokens that end the model's turn, banned while `mayEndTurn()` says no. */
  turnEndTokens: readonly Token[];
  mayEndTurn: () => boolean;
  /** End-of-generation tokens that only end a message, not the answer (the caller reads them): never banned. */
  messageEndTokens: ReadonlySet<Token>;
}

export function buildEvaluateOptions(
  model: LoadedModel,
  sampling: SamplingOptions,
  output: OutputControl,
  /** The last `count` tokens of the prompt and the output so far. */
  recentTokens: (count: number) => Token[],
): SequenceEvaluateOptions {
  const options: SequenceEvaluateOptions = {
    temperature: sampling.temperature ?? LLAMA_SERVER_SAMPLING.temperature,
    topP: sampling.topP ?? LLAMA_SERVER_SAMPLING.topP,
    topK: sampling.topK ?? LLAMA_SERVER_SAMPLING.topK,
    minP: sampling.minP ?? LLAMA_SERVER_SAMPLING.minP,
    // Without a seed each generation samples afresh, as llama-server's does (a random seed): node-llama-cpp's
    // default is the current second, so two requests for the same prompt within one gave one answer.
    seed: sampling.seed ?? randomInt(2 ** 32),
    // The caller decides what an end-of-generation token means (finish reason "stop").
    yieldEogToken: true,
  };
  if (output.mayConstrain) options.grammarEvaluationState = output.stateForNextToken;
  const ban = output.mayConstrain ? BAN_UNDER_GRAMMAR : Number.NEGATIVE_INFINITY;
  const requestBias = () => {
    const bias = new TokenBias(model.model.tokenizer);
    for (const [token, value] of sampling.logitBias ?? [])
      setLogitBias(bias, token as Token, value > BAN_BIAS ? value : ban);
    if (sampling.ignoreEos)
      for (const token of model.endOfGenerationTokens())
        if (!output.messageEndTokens.has(token)) setLogitBias(bias, token, ban);
    return bias;
  };
  if (output.turnEndTokens.length) {
    const free = requestBias();
    const turnMustGoOn = requestBias();
    for (const token of output.turnEndTokens) setLogitBias(turnMustGoOn, token, ban);
    options.tokenBias = () => (output.mayEndTurn() ? free : turnMustGoOn);
  } else if (sampling.logitBias?.size || sampling.ignoreEos) options.tokenBias = requestBias();
  const { repeatPenalty = 1, presencePenalty = 0, frequencyPenalty = 0 } = sampling;
  if (repeatPenalty !== 1 || presencePenalty !== 0 || frequencyPenalty !== 0) {
    options.repeatPenalty = {
      punishTokens: () => recentTokens(PENALTY_WINDOW),
      maxPunishTokens: PENALTY_WINDOW,
      penalty: repeatPenalty,
      presencePenalty,
      frequencyPenalty,
    };
  }
  return options;
}

/**
 * Adds `logit` to the token's logit before sampling, end-of-generation tokens included.
 * node-llama-cpp 3.21's `TokenBias.set` skips those (EOS, EOT, `<|im_end|>` and the rest llama.cpp
 * counts as EOG) without a word, so a ban on them — `logit_bias` -100 on EOS, `ignore_eos`, a turn
 * that must go on to a tool call — was dropped. Its sampler biases whatever the map holds, so the
 * bias goes there (tests/integration/ignoreEos.test.ts fails if that stops working).
 */
function setLogitBias(bias: TokenBias, token: Token, logit: number): void {
  (bias as unknown as { _biases: Map<Token, number> })._biases.set(token, logit);
}
