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
  if (prompt.kind === "text") {
    const tokens = model.tokenize(prompt.text, false);
    const bos = model.tokens.bos;
    return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
  }
  const { contextText } = chatWrapper.generateContextState({ chatHistory: toChatHistory(prompt.messages) });
  return contextText.tokenize(model.tokenizer);
}
