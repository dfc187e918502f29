// Placeholder until the trpc transport lands: mounts nothing.
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import type { HttpMount } from "../httpMount.js";

export function createTrpcMount(_resolvers: Resolvers, _logger: Logger): HttpMount {
  return { name: "trpc", matches: () => false, handle: () => undefined };
}
