// Decides how a chat request uses its tools: which are offered to the model (rendered in its own
// format) and whether its output may call them (auto), must (required or named), or may not (none).
import { InvalidInputError } from "../../errors.js";
import type { ChatOutputOptions, ChatTool } from "../../inference/types.js";
import { assertGrammarSupportsSchema, assertValidJsonSchema } from "../assertValidJsonSchema.js";
import type { ParsedChatCompletionInput } from "./chatInput.js";

export interface ToolPlan {
  tools: ChatTool[];
  output: Pick<ChatOutputOptions, "toolCalls" | "toolNames" | "parallelToolCalls">;
}

export function planTools(input: ParsedChatCompletionInput): ToolPlan {
  const definitions = input.tools ?? [];
  const choice = input.toolChoice ?? (definitions.length ? "auto" : "none");
  const tools = definitions.map(({ function: tool }) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
  }));
  const none = { tools, output: { toolCalls: "none", toolNames: [], parallelToolCalls: false } } as const;
  if (choice === "none") return none;
  if (tools.length === 0)
    throw new InvalidInputError("toolChoice", "toolChoice needs at least one tool in 'tools'");
  const names = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    if (names.has(tool.name))
      throw new InvalidInputError(`tools.${index}.function.name`, `Duplicate tool name '${tool.name}'`);
    names.add(tool.name);
    if (tool.parameters) {
      const field = `tools.${index}.function.parameters`;
      assertValidJsonSchema(tool.parameters, field);
      assertGrammarSupportsSchema(tool.parameters, field);
    }
  }

  const selected = typeof choice === "object" ? [choice.function.name] : [...names];
  if (typeof choice === "object" && !names.has(choice.function.name))
    throw new InvalidInputError(
      "toolChoice",
      `toolChoice names '${choice.function.name}', which is not in 'tools'`,
    );
  if (choice === "auto")
    return {
      tools,
      output: { toolCalls: "auto", toolNames: selected, parallelToolCalls: input.parallelToolCalls },
    };

  if (input.grammar !== undefined)
    throw new InvalidInputError(
      "grammar",
      "A grammar cannot be combined with a required or named toolChoice",
    );
  if (input.responseFormat && input.responseFormat.type !== "text")
    throw new InvalidInputError(
      "responseFormat",
      "A JSON response format cannot be combined with a required or named toolChoice",
    );
  return {
    tools,
    output: {
      toolCalls: "required",
      toolNames: selected,
      parallelToolCalls: typeof choice !== "object" && input.parallelToolCalls,
    },
  };
}
