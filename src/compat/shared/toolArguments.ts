// A tool call's arguments as an object, for the APIs that carry them parsed (Anthropic's tool_use
// input, Ollama's tool_calls): the resolvers hand them over as JSON text.

/** The arguments' JSON object; {} when the text is not one (a model's malformed call). */
export function parseToolArguments(argumentsJson: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsJson);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
