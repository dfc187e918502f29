// Maps inferql's sampling options onto node-llama-cpp's sequence evaluation options.
import {
  type LlamaGrammarEvaluationState,
  type LlamaModel,
  type SequenceEvaluateOptions,
  type Token,
  TokenBias,
} from "node-llama-cpp";
import type { SamplingOptions } from "../types.js";

/** How far back repeat/presence/frequency penalties look, as llama.cpp's repeat_last_n. */
const PENALTY_WINDOW = 64;
const DEFAULT_TEMPERATURE = 0.8;
/** OpenAI's logit_bias of -100 means "never"; anything else is an additive logit. */
const BAN_BIAS = -100;
/**
 * What a ban becomes under a grammar: a penalty strong enough that only the grammar overrides it.
 * When every token the grammar allows next is banned, llama.cpp's sampler picks one the grammar
 * rejects, and node-llama-cpp 3.21 then rejects a promise nothing handles (crashing the process)
 * and never finishes the sequence. The grammar wins instead.
 */
const BAN_UNDER_GRAMMAR = { logit: -99 };

/** What the output reader decides per token: the grammar state, and whether the turn may end now. */
export interface OutputControl {
  /** Whether a grammar constrains any of the output. */
  mayConstrain: boolean;
  stateForNextToken: () => LlamaGrammarEvaluationState | undefined;
  /** The tokens that end the model's turn, banned while `mayEndTurn()` says no. */
  turnEndTokens: readonly Token[];
  mayEndTurn: () => boolean;
}

export function buildEvaluateOptions(
  model: LlamaModel,
  sampling: SamplingOptions,
  output: OutputControl,
  recentTokens: () => Token[],
): SequenceEvaluateOptions {
  const options: SequenceEvaluateOptions = {
    temperature: sampling.temperature ?? DEFAULT_TEMPERATURE,
    topP: sampling.topP,
    topK: sampling.topK,
    minP: sampling.minP,
    seed: sampling.seed,
    // The caller decides what an end-of-generation token means (finish reason "stop").
    yieldEogToken: true,
  };
  if (output.mayConstrain) options.grammarEvaluationState = output.stateForNextToken;
  const requestBias = () => {
    const bias = new TokenBias(model.tokenizer);
    for (const [token, value] of sampling.logitBias ?? [])
      bias.set(
        token as Token,
        value > BAN_BIAS ? { logit: value } : output.mayConstrain ? BAN_UNDER_GRAMMAR : "never",
      );
    return bias;
  };
  if (output.turnEndTokens.length) {
    const free = requestBias();
    const turnMustGoOn = requestBias();
    for (const token of output.turnEndTokens) turnMustGoOn.set(token, "never");
    options.tokenBias = () => (output.mayEndTurn() ? free : turnMustGoOn);
  } else if (sampling.logitBias?.size) options.tokenBias = requestBias();
  const { repeatPenalty = 1, presencePenalty = 0, frequencyPenalty = 0 } = sampling;
  if (repeatPenalty !== 1 || presencePenalty !== 0 || frequencyPenalty !== 0) {
    options.repeatPenalty = {
      punishTokens: () => recentTokens().slice(-PENALTY_WINDOW),
      maxPunishTokens: PENALTY_WINDOW,
      penalty: repeatPenalty,
      presencePenalty,
      frequencyPenalty,
    };
  }
  return options;
}
