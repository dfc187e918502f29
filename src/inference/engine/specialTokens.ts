// BOS and EOS where the model's tokenizer adds them to a prompt (llama.cpp's `add_special`).
import type { LlamaModel, Token } from "node-llama-cpp";

/** BOS first, where the model's tokenizer adds it to a prompt (llama.cpp's `add_special`). */
export function addBos(model: LlamaModel, tokens: Token[]): Token[] {
  const { bos, shouldPrependBosToken } = model.tokens;
  return shouldPrependBosToken && bos !== null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
}

/** EOS last, where the model's tokenizer adds it to a prompt (llama.cpp's `add_special`). */
export function addEos(model: LlamaModel, tokens: Token[]): Token[] {
  const { eos, shouldAppendEosToken } = model.tokens;
  return shouldAppendEosToken && eos !== null && tokens.at(-1) !== eos ? [...tokens, eos] : tokens;
}
