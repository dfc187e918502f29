// A chat request as the inference layer's structured prompt: roles every template knows, assistant
// tool calls and tool results kept as structure, so the model's own template renders them.
import type { ChatPrompt, ChatPromptMessage, ChatTool } from "../../inference/types.js";
import type { ChatMessage, ParsedChatCompletionInput } from "./chatInput.js";

export function contentText(content: string | { text: string }[] | null | undefined): string {
  if (content === null || content === undefined) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

export function toChatPrompt(input: ParsedChatCompletionInput, tools: readonly ChatTool[]): ChatPrompt {
  return {
    kind: "chat",
    messages: input.messages.map(toPromptMessage),
    tools,
    ...templateVariablesOf(input),
  };
}

/**
 * The chat template's extra variables: the reasoning effort as the families' templates name it
 * (Qwen3's `enable_thinking`, gpt-oss's `reasoning_effort`), then the request's own, which win.
 */
function templateVariablesOf({
  reasoningEffort,
  chatTemplateKwargs,
}: ParsedChatCompletionInput): Pick<ChatPrompt, "templateVariables"> {
  const effort =
    reasoningEffort === undefined
      ? undefined
      : reasoningEffort === "none"
        ? { enable_thinking: false }
        : { reasoning_effort: reasoningEffort };
  if (!effort && !chatTemplateKwargs) return {};
  return { templateVariables: { ...effort, ...chatTemplateKwargs } };
}

function toPromptMessage(message: ChatMessage): ChatPromptMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: contentText(message.content) };
    case "user":
      return { role: "user", content: contentText(message.content) };
    case "assistant":
      return {
        role: "assistant",
        content: contentText(message.content),
        ...(message.reasoning ? { reasoning: message.reasoning } : {}),
        toolCalls: (message.toolCalls ?? []).map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        })),
      };
    case "tool":
      return { role: "tool", toolCallId: message.toolCallId, content: contentText(message.content) };
  }
}
