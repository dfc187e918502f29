// Reduces OpenAI-style messages (developer, tool results, assistant tool calls) to the roles
// every chat template knows, writing tool traffic in the same JSON form the model calls tools with.
import type { TemplateMessage } from "../../inference/types.js";
import type { ChatMessage } from "./chatInput.js";

export function contentText(content: string | { text: string }[] | null | undefined): string {
  if (content === null || content === undefined) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

export function toTemplateMessages(
  messages: readonly ChatMessage[],
  toolInstructions?: string,
): TemplateMessage[] {
  const result: TemplateMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "developer":
        result.push({ role: "system", content: contentText(message.content) });
        break;
      case "user":
        result.push({ role: "user", content: contentText(message.content) });
        break;
      case "assistant": {
        const calls = message.toolCalls?.map((call) => ({
          name: call.function.name,
          arguments: parseJsonOrText(call.function.arguments),
        }));
        const text = contentText(message.content);
        result.push({ role: "assistant", content: calls?.length ? `${text}${JSON.stringify(calls)}` : text });
        break;
      }
      case "tool":
        result.push({
          role: "user",
          content: `<tool_response id="${message.toolCallId}">\n${contentText(message.content)}\n</tool_response>`,
        });
        break;
    }
  }
  if (toolInstructions) {
    const first = result[0];
    if (first?.role === "system")
      result[0] = { role: "system", content: `${first.content}\n\n${toolInstructions}` };
    else result.unshift({ role: "system", content: toolInstructions });
  }
  return result;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
