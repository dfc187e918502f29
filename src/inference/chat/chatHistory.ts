// A structured chat prompt as node-llama-cpp chat history, for chat wrappers that render it themselves:
// assistant tool calls become function-call items that carry their results.
import type { ChatHistoryItem, ChatModelFunctions, ChatModelResponse } from "node-llama-cpp";
import type { ChatPrompt, ChatTool } from "../types.js";
import { parseJsonOrText } from "./parseJsonOrText.js";

export function toChatHistory(prompt: ChatPrompt): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of prompt.messages)
    if (message.role === "tool") results.set(message.toolCallId, message.content);

  const history: ChatHistoryItem[] = [];
  for (const message of prompt.messages) {
    if (message.role === "system") history.push({ type: "system", text: message.content });
    else if (message.role === "user") history.push({ type: "user", text: message.content });
    else if (message.role === "assistant") {
      const response: ChatModelResponse["response"] = [];
      if (message.reasoning)
        response.push({ type: "segment", segmentType: "thought", text: message.reasoning, ended: true });
      if (message.content) response.push(message.content);
      for (const call of message.toolCalls)
        response.push({
          type: "functionCall",
          name: call.name,
          params: parseJsonOrText(call.arguments),
          result: results.get(call.id) ?? "",
        });
      history.push({ type: "model", response });
    }
  }
  // An empty model turn at the end asks the wrapper for the generation prompt.
  history.push({ type: "model", response: [] });
  return history;
}

export function toChatModelFunctions(tools: readonly ChatTool[]): ChatModelFunctions {
  return Object.fromEntries(
    tools.map((tool) => [
      tool.name,
      { description: tool.description, params: tool.parameters as ChatModelFunctions[string]["params"] },
    ]),
  );
}
