// Renders a prompt into tokens with the model's own chat template (never a hard-coded format).
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from "node-llama-cpp";
import type { PromptInput, TemplateMessage } from "../types.js";

export function toChatHistory(messages: readonly TemplateMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) => {
    if (message.role === "system") return { type: "system", text: message.content };
    if (message.role === "user") return { type: "user", text: message.content };
    return { type: "model", response: [message.content] };
  });
  // An empty model turn at the end asks the template for the generation prompt.
  history.push({ type: "model", response: [] });
  return history;
}

export function renderPromptTokens(
  model: LlamaModel,
  chatWrapper: ChatWrapper,
  prompt: PromptInput,
): Token[] {
  if (prompt.kind === "text") return addBos(model, model.tokenize(prompt.text, false));
  const { contextText } = chatWrapper.generateContextState({ chatHistory: toChatHistory(prompt.messages) });
  return contextText.tokenize(model.tokenizer);
}

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
