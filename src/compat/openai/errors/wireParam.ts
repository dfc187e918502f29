// Turns an input path (the resolvers' camelCase "messages.0.toolCalls" or a zod issue path) into the
// parameter name a client sent: "messages[0].tool_calls".

/**
 * Resolver fields (or dotted paths into them) whose wire name is not their snake_case form: maxTokens
 * sent as max_completion_tokens, responseFormat.jsonSchema.schema sent as guided_json.
 */
export type ParamRenames = Readonly<Record<string, string>>;

export function toWireParam(path: string | readonly PropertyKey[], renames: ParamRenames = {}): string {
  const segments = typeof path === "string" ? path.split(".") : path.map(String);
  // The longest leading run of segments that was renamed ("responseFormat.jsonSchema.schema" or "maxTokens").
  const renamed = segments.findLastIndex((_, end) => segments.slice(0, end + 1).join(".") in renames) + 1;
  let param = renamed > 0 ? renames[segments.slice(0, renamed).join(".")] : "";
  for (const segment of segments.slice(renamed)) {
    if (/^\d+$/.test(segment)) param += `[${segment}]`;
    else {
      const name = camelToSnake(segment);
      param += param ? `.${name}` : name;
    }
  }
  return param;
}

function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
