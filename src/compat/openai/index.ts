// Placeholder until the openai transport lands: mounts nothing.
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import type { HttpMount } from "../../api/httpMount.js";

export function createOpenAiMount(_resolvers: Resolvers, _logger: Logger): HttpMount {
  return { name: "openai", matches: () => false, handle: () => undefined };
}
