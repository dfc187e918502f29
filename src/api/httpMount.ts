// The contract between the one HTTP server and each transport mounted on it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { DomainError } from "../errors.js";
import type { AccessScope } from "../security/accessControl.js";

export interface HttpMount {
  /** Human name for logs. */
  name: string;
  /** Whether this mount serves the request's path. */
  matches(pathname: string): boolean;
  /** The route label for metrics, with ids stripped so its cardinality stays bounded; defaults to the name. */
  routeOf?(pathname: string): string;
  /** What the request needs to be let in; defaults to "api" (an API key, when keys are configured). */
  access?(request: IncomingMessage): AccessScope;
  /** A credential carried outside the Authorization header (tRPC SSE's `connectionParams` query). */
  credentialOf?(request: IncomingMessage): string | undefined;
  /**
   * Answers a request the server refused before handing it over (no or a wrong API key, rate
   * limited, body too large) in this transport's error shape; status-related headers (WWW-Authenticate,
   * Retry-After) are already set. Without it the answer is `{"error": {"message", "code"}}`.
   */
  refuse?(request: IncomingMessage, response: ServerResponse, error: DomainError): void | Promise<void>;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
  /** WebSocket upgrades on this mount's path; mounts without one refuse upgrades. */
  upgrade?(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes long-lived connections (WebSockets) at shutdown. */
  close?(): Promise<void>;
}

export function pathPrefixMatcher(...prefixes: string[]): (pathname: string) => boolean {
  return (pathname) => prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** The HTTP status of a refusal, shared by every transport's `refuse`. */
export function refusalStatus(error: DomainError): number {
  switch (error.code) {
    case "UNAUTHENTICATED":
      return 401;
    case "RATE_LIMITED":
      return 429;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "HOST_NOT_ALLOWED":
      return 403;
    default:
      return 400;
  }
}
