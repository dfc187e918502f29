// The prompt a chat request becomes, as the model's chat template renders it (llama-server's
// /apply-template): for checking what a model sees, tools and tool traffic included.
import type { ChatFormatInfo } from "../../inference/chat/chatFormat.js";
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

export function renderChatPrompt(
  deps: InferenceDeps,
  input: ChatCompletionInput | unknown,
): RenderedChatPrompt {
  const parsed = parseInput(chatCompletionInputSchema, input);
  const model = deps.registry.local(parsed.model ?? deps.registry.defaultModelId, "Rendering a chat prompt");
  const rendered = model.chatFormat.render(toChatPrompt(parsed, planTools(parsed).tools));
  return {
    model: model.id,
    prompt: rendered.text,
    promptTokens: rendered.tokens.length,
    chatFormat: model.chatFormat.info(),
  };
}
