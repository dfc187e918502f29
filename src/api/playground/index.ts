// Placeholder until the web playground lands: mounts nothing.
import type { Logger } from "pino";
import type { HttpMount } from "../httpMount.js";

export function createPlaygroundMount(_logger: Logger): HttpMount {
  return { name: "playground", matches: () => false, handle: () => undefined };
}
