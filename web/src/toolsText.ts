// The tools editor's text: a JSON array of OpenAI-style tools, each `{"type": "function", "function": {…}}`
// or the function definition alone, read into the tools a chat request offers.
import type { ChatCompletionInput } from "./graphql/documents.js";

export type ToolInputs = NonNullable<ChatCompletionInput["tools"]>;

export type ToolsReading = { tools: ToolInputs; error?: undefined } | { tools?: undefined; error: string };

export const EXAMPLE_TOOLS = JSON.stringify(
  [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "The current weather in a city.",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ],
  null,
  2,
);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One tool, or the sentence saying what is wrong with it. */
function readTool(entry: unknown, position: number): ToolInputs[number] | string {
  const where = `Tool ${position + 1}`;
  if (!isRecord(entry)) return `${where} must be a JSON object.`;
  if (entry.type !== undefined && entry.type !== "function") return `${where}: only "function" tools exist.`;
  const definition = entry.function ?? entry;
  if (!isRecord(definition)) return `${where}: "function" must be an object.`;
  const { name, description, parameters } = definition;
  if (typeof name !== "string" || name === "") return `${where} needs a "name".`;
  if (description !== undefined && typeof description !== "string")
    return `${where}: "description" must be a string.`;
  if (parameters !== undefined && !isRecord(parameters))
    return `${where}: "parameters" must be a JSON schema object.`;
  return { function: { name, description, parameters } };
}

/** Blank text offers no tools. */
export function readToolsText(text: string): ToolsReading {
  if (text.trim() === "") return { tools: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : "";
    return { error: `The tools are not valid JSON${detail}.` };
  }
  if (!Array.isArray(parsed)) return { error: "The tools must be a JSON array of tools." };
  const tools: ToolInputs = [];
  for (const [position, entry] of parsed.entries()) {
    const tool = readTool(entry, position);
    if (typeof tool === "string") return { error: tool };
    tools.push(tool);
  }
  return { tools };
}
