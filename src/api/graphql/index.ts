// Placeholder until the graphql transport lands: mounts nothing.
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import type { HttpMount } from "../httpMount.js";

export function createGraphqlMount(_resolvers: Resolvers, _logger: Logger): HttpMount {
  return { name: "graphql", matches: () => false, handle: () => undefined };
}
