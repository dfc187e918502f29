// Decides how a chat request uses its tools: the prompt that describes them, and whether the
// output is free (auto), forced into tool calls by a JSON-schema grammar (required or named), or plain.
import { InvalidInputError } from "../../errors.js";
import type { JsonSchema } from "../../inference/types.js";
import { assertValidJsonSchema } from "../assertValidJsonSchema.js";
import type { ParsedChatCompletionInput, ToolDefinition } from "./chatInput.js";

export type ToolPlan =
  | { mode: "none" }
  /** The model may answer in text or with a JSON array of calls; detected after generation. */
  | { mode: "auto"; tools: ToolDefinition[]; instructions: string }
  /** The output is constrained to a JSON array of calls to these tools. */
  | { mode: "forced"; tools: ToolDefinition[]; instructions: string; callsSchema: JsonSchema };

export function planTools(input: ParsedChatCompletionInput): ToolPlan {
  const tools = input.tools ?? [];
  const choice = input.toolChoice ?? (tools.length ? "auto" : "none");
  if (choice === "none") return { mode: "none" };
  if (tools.length === 0)
    throw new InvalidInputError("toolChoice", "toolChoice needs at least one tool in 'tools'");
  const names = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    if (names.has(tool.function.name))
      throw new InvalidInputError(
        `tools.${index}.function.name`,
        `Duplicate tool name '${tool.function.name}'`,
      );
    names.add(tool.function.name);
    if (tool.function.parameters)
      assertValidJsonSchema(tool.function.parameters, `tools.${index}.function.parameters`);
  }

  const selected =
    typeof choice === "object" ? tools.filter((tool) => tool.function.name === choice.function.name) : tools;
  if (selected.length === 0 && typeof choice === "object")
    throw new InvalidInputError(
      "toolChoice",
      `toolChoice names '${choice.function.name}', which is not in 'tools'`,
    );
  const instructions = describeTools(selected);
  if (choice === "auto") return { mode: "auto", tools, instructions };

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
  const onlyOneCall = typeof choice === "object" || !input.parallelToolCalls;
  return {
    mode: "forced",
    tools: selected,
    instructions,
    callsSchema: toolCallsSchema(selected, onlyOneCall),
  };
}

function describeTools(tools: readonly ToolDefinition[]): string {
  const lines = tools.map((tool) => {
    const { name, description, parameters } = tool.function;
    return `- ${name}${description ? `: ${description}` : ""}\n  arguments schema: ${JSON.stringify(parameters ?? {})}`;
  });
  return [
    "You can call these tools:",
    ...lines,
    'To call tools, reply with only a JSON array of calls, like [{"name": "tool_name", "arguments": {...}}].',
  ].join("\n");
}

/** The JSON schema of the model's output when it must call tools: [{"name": ..., "arguments": {...}}, ...]. */
function toolCallsSchema(tools: readonly ToolDefinition[], onlyOneCall: boolean): JsonSchema {
  const calls = tools.map((tool) => ({
    type: "object",
    properties: {
      name: { const: tool.function.name },
      arguments: tool.function.parameters ?? { type: "object", properties: {} },
    },
  }));
  return {
    type: "array",
    items: calls.length === 1 ? calls[0] : { oneOf: calls },
    minItems: 1,
    ...(onlyOneCall ? { maxItems: 1 } : {}),
  };
}
