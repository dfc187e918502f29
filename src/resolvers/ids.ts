// Unique ids for requests and tool calls: random, never derived from the clock.
import { randomBytes } from "node:crypto";

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("base64url")}`;
}
