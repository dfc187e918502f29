// Who may call what: API keys for the API, a separate key for /metrics, and a request rate per
// client. The one check every transport uses: http.ts for plain HTTP requests, the WebSocket
// transports for their connection parameters and for each operation a socket starts.
import type { IncomingMessage } from "node:http";
import { RateLimitedError, UnauthenticatedError } from "../errors.js";
import { ApiKeySet, bearerToken } from "./apiKeys.js";
import { RateLimiter } from "./rateLimiter.js";

/** What a route needs: nothing (health, static pages), an API key, or the metrics key. */
export type AccessScope = "public" | "api" | "metrics";

export interface AccessControlOptions {
  /** Keys any API call may use; none means the API is open. */
  apiKeys?: readonly string[];
  /** The key /metrics requires; none means /metrics is open. */
  metricsApiKey?: string;
  /** Requests per minute per client (API key, or address when the API is open); 0 is no limit. */
  rateLimitPerMinute?: number;
}

/** Names the client a request acts for: its API key's short digest, or its address when the API is open. */
export type ClientId = string;

export class AccessControl {
  private readonly apiKeys: ApiKeySet;
  private readonly metricsKeys: ApiKeySet;
  private readonly limiter?: RateLimiter;

  constructor(options: AccessControlOptions = {}) {
    this.apiKeys = new ApiKeySet(options.apiKeys ?? []);
    this.metricsKeys = new ApiKeySet(options.metricsApiKey === undefined ? [] : [options.metricsApiKey]);
    if (options.rateLimitPerMinute) this.limiter = new RateLimiter(options.rateLimitPerMinute);
  }

  /** Whether API calls need a key. */
  get requiresApiKey(): boolean {
    return this.apiKeys.enabled;
  }

  /**
   * The client behind a credential (the token of a Bearer authorization) for a route of `scope`;
   * throws UnauthenticatedError when the scope needs a key and this is not one of its keys.
   */
  authenticate(scope: AccessScope, credential: string | undefined, address: string): ClientId {
    if (scope === "public") return `ip:${address}`;
    const keys = scope === "metrics" ? this.metricsKeys : this.apiKeys;
    if (!keys.enabled) return `ip:${address}`;
    const client = keys.match(credential);
    if (client === undefined)
      throw new UnauthenticatedError(
        credential === undefined
          ? "A valid API key is required: send it as 'Authorization: Bearer <key>'"
          : "The API key is not valid",
      );
    return client;
  }

  /** Counts one request (an HTTP request or an operation over a WebSocket); throws RateLimitedError past the rate. */
  admit(client: ClientId): void {
    const retryAfterSeconds = this.limiter?.take(client) ?? 0;
    if (retryAfterSeconds > 0) throw new RateLimitedError(retryAfterSeconds);
  }

  /** Authenticates and admits a WebSocket connection's client from its connection parameters (or upgrade headers). */
  authenticateConnection(request: IncomingMessage, connectionParams: unknown): ClientId {
    const credential = credentialFromConnectionParams(connectionParams) ?? credentialFromHeaders(request);
    return this.authenticate("api", credential, clientAddress(request));
  }
}

/** The Bearer token of a request's Authorization header. */
export function credentialFromHeaders(request: IncomingMessage): string | undefined {
  return bearerToken(request.headers.authorization);
}

/**
 * The Bearer token of WebSocket connection parameters, `{ authorization: "Bearer <key>" }` (graphql-ws's
 * connection_init payload, tRPC's connectionParams).
 */
export function credentialFromConnectionParams(params: unknown): string | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const record = params as Record<string, unknown>;
  return bearerToken(record.authorization ?? record.Authorization);
}

/** The peer's address. Proxy headers are not trusted: behind a proxy, clients share its address. */
export function clientAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "unknown";
}
