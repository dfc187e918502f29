// Renders a conversation with the GGUF's own Jinja chat template, given the messages and tools in the
// OpenAI shape templates are written for: the prompt llama-server --jinja and vLLM would build.
import { createHash } from "node:crypto";
import type { Template } from "@huggingface/jinja";
import { InvalidInputError } from "../../errors.js";
import type { ChatPrompt } from "../types.js";
import { parseJsonOrText } from "./parseJsonOrText.js";

export interface TemplateTokens {
  bosToken: string;
  eosToken: string;
}

export function renderJinjaTemplate(template: Template, prompt: ChatPrompt, tokens: TemplateTokens): string {
  const variables = {
    ...prompt.templateVariables,
    messages: prompt.messages.map(toTemplateMessage(prompt)),
    ...(prompt.tools.length > 0
      ? {
          tools: prompt.tools.map((tool) => ({
            type: "function",
            function: {
              name: tool.name,
              ...(tool.description !== undefined ? { description: tool.description } : {}),
              parameters: tool.parameters ?? { type: "object", properties: {} },
            },
          })),
        }
      : {}),
    add_generation_prompt: true,
    bos_token: tokens.bosToken,
    eos_token: tokens.eosToken,
  };
  try {
    return template.render(variables);
  } catch (error) {
    // Templates refuse conversations they cannot express (raise_exception), e.g. roles out of order.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(
      "messages",
      `The model's chat template cannot render these messages: ${reason}`,
    );
  }
}

function toTemplateMessage(prompt: ChatPrompt) {
  const callNames = new Map<string, string>();
  for (const message of prompt.messages)
    if (message.role === "assistant") for (const call of message.toolCalls) callNames.set(call.id, call.name);

  return (message: ChatPrompt["messages"][number]): Record<string, unknown> => {
    switch (message.role) {
      case "system":
      case "user":
        return { role: message.role, content: message.content };
      case "tool":
        return {
          role: "tool",
          tool_call_id: templateCallId(message.toolCallId),
          name: callNames.get(message.toolCallId),
          content: message.content,
        };
      case "assistant":
        return {
          role: "assistant",
          content: message.content,
          ...(message.reasoning
            ? reasoningFields(message.reasoning, message.content, message.toolCalls.length)
            : {}),
          ...(message.toolCalls.length > 0
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: templateCallId(call.id),
                  type: "function",
                  // Templates index into the arguments (arguments.city, arguments|tojson): an object.
                  function: { name: call.name, arguments: parseJsonOrText(call.arguments) },
                })),
              }
            : {}),
        };
    }
  };
}

/**
 * A call id as templates accept it: Mistral's templates refuse any id that is not 9 letters or
 * digits, so other ids are replaced by 9 characters of their hash (the same for a call and its result).
 */
function templateCallId(id: string): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  return createHash("sha256")
    .update(id)
    .digest("base64")
    .replace(/[^a-zA-Z0-9]/g, "")
    .slice(0, 9)
    .padEnd(9, "0");
}

/**
 * An assistant turn's reasoning under both names templates read: `reasoning_content` (Qwen3,
 * DeepSeek, GLM) and `thinking` (gpt-oss, which renders the analysis of a turn that called tools,
 * as llama.cpp copies it there). gpt-oss refuses a tool-calling turn with both text and thinking, so
 * such a turn keeps its reasoning under the first name only.
 */
function reasoningFields(reasoning: string, content: string, toolCallCount: number) {
  return toolCallCount > 0 && content
    ? { reasoning_content: reasoning }
    : { reasoning_content: reasoning, thinking: reasoning };
}
