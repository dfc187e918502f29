// Turns an input path (the resolvers' camelCase "messages.0.toolCalls" or a zod issue path) into the
// parameter name a client sent: "messages[0].tool_calls".

/** Top-level resolver fields whose wire name is not their snake_case form (maxTokens sent as max_completion_tokens). */
export type ParamRenames = Readonly<Record<string, string>>;

export function toWireParam(path: string | readonly PropertyKey[], renames: ParamRenames = {}): string {
  const segments = typeof path === "string" ? path.split(".") : path.map(String);
  let param = "";
  for (const [index, segment] of segments.entries()) {
    if (/^\d+$/.test(segment)) param += `[${segment}]`;
    else {
      const name = index === 0 && segment in renames ? renames[segment] : camelToSnake(segment);
      param += param ? `.${name}` : name;
    }
  }
  return param;
}

function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
