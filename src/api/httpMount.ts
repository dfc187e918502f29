// The contract between the one HTTP server and each transport mounted on it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

export interface HttpMount {
  /** Human name for logs. */
  name: string;
  /** Whether this mount serves the request's path. */
  matches(pathname: string): boolean;
  /** The route label for metrics, with ids stripped so its cardinality stays bounded; defaults to the name. */
  routeOf?(pathname: string): string;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
  /** WebSocket upgrades on this mount's path; mounts without one refuse upgrades. */
  upgrade?(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes long-lived connections (WebSockets) at shutdown. */
  close?(): Promise<void>;
}

export function pathPrefixMatcher(...prefixes: string[]): (pathname: string) => boolean {
  return (pathname) => prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}
