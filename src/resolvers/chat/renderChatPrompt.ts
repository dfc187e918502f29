// The prompt a chat request becomes, as the model's chat template renders it (llama-server's
// /apply-template): for checking what a model sees, tools and tool traffic included. A remote
// upstream's replica renders it with its own template.
import type { ChatFormatInfo } from "../../inference/chat/chatFormat.js";
import { RemoteModel } from "../../inference/remote/remoteModel.js";
import type { InferenceDeps } from "../context.js";
import { parseInput } from "../parseInput.js";
import { type ChatCompletionInput, chatCompletionInputSchema } from "./chatInput.js";
import { toChatPrompt } from "./chatPrompt.js";
import { planTools } from "./toolPlan.js";

export interface RenderedChatPrompt {
  model: string;
  /** The prompt text, special tokens written out. */
  prompt: string;
  promptTokens: number;
  /** How the model's chat is rendered and read (wrapper, renderer, tool call format, reasoning markers). */
  chatFormat: ChatFormatInfo;
}

export async function renderChatPrompt(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
): Promise<RenderedChatPrompt> {
  const parsed = parseInput(chatCompletionInputSchema, input);
  const model = deps.registry.get(parsed.model ?? deps.registry.defaultModelId);
  const prompt = toChatPrompt(parsed, planTools(parsed).tools);
  if (model instanceof RemoteModel) {
    const rendered = await model.renderChat(prompt);
    return {
      model: model.id,
      prompt: rendered.text,
      promptTokens: rendered.tokens,
      chatFormat: model.info().chatFormat,
    };
  }
  const rendered = model.chatFormat.render(prompt);
  return {
    model: model.id,
    prompt: rendered.text,
    promptTokens: rendered.tokens.length,
    chatFormat: model.chatFormat.info(),
  };
}
