// Who may call what: API keys for the API (admin keys among them), a separate key for /metrics,
// and a request rate per client. The one check every transport uses: http.ts for plain HTTP
// requests, the WebSocket transports for their connection parameters and for each operation a
// socket starts. It also remembers which key each request (or socket's upgrade) came with, as a
// Caller, so the resolvers can scope a key to its own generations.
import type { IncomingMessage } from "node:http";
import { RateLimitedError, UnauthenticatedError } from "../errors.js";
import type { Caller } from "../inference/types.js";
import { ApiKeySet, bearerToken } from "./apiKeys.js";
import { RateLimiter, type RequestRateLimiter } from "./rateLimiter.js";

/** What a route needs: nothing (health, static pages), an API key, or the metrics key. */
export type AccessScope = "public" | "api" | "metrics";

export interface AccessControlOptions {
  /** Keys any API call may use; none (and no admin key) means the API is open. */
  apiKeys?: readonly string[];
  /** API keys that also see and cancel every client's generations (others only their own). */
  adminApiKeys?: readonly string[];
  /** The key /metrics requires; none means /metrics is open. */
  metricsApiKey?: string;
  /** Requests per minute per client (API key, or address when the API is open); 0 is no limit. */
  rateLimitPerMinute?: number;
  /**
   * Where the rate is counted (with `rateLimitPerMinute`): by default a bucket per client in this
   * process; a fleet of nodes passes one shared between them (src/cluster).
   */
  rateLimiter?: RequestRateLimiter;
}

/** Names the client a request acts for: its API key's short digest, or its address when the API is open. */
export type ClientId = string;

/** The key each authenticated request (for a WebSocket: its upgrade request) came with. */
const callers = new WeakMap<IncomingMessage, Caller>();

/** The API key a request was authenticated with; undefined when the API is open (or it was not authenticated). */
export function callerOf(request: IncomingMessage | undefined): Caller | undefined {
  return request && callers.get(request);
}

export class AccessControl {
  private readonly apiKeys: ApiKeySet;
  private readonly adminKeys: ApiKeySet;
  private readonly metricsKeys: ApiKeySet;
  private readonly limiter?: RequestRateLimiter;

  constructor(options: AccessControlOptions = {}) {
    const adminApiKeys = options.adminApiKeys ?? [];
    this.apiKeys = new ApiKeySet([...(options.apiKeys ?? []), ...adminApiKeys]);
    this.adminKeys = new ApiKeySet(adminApiKeys);
    this.metricsKeys = new ApiKeySet(options.metricsApiKey === undefined ? [] : [options.metricsApiKey]);
    if (options.rateLimitPerMinute)
      this.limiter = options.rateLimiter ?? new RateLimiter(options.rateLimitPerMinute);
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

  /**
   * Counts one request (an HTTP request or an operation over a WebSocket); throws RateLimitedError
   * past the rate. Synchronous with the in-process limiter; a shared limiter answers with a promise
   * (that rejects with RateLimitedError), so callers await what it returns.
   */
  admit(client: ClientId): void | Promise<void> {
    const retryAfterSeconds = this.limiter?.take(client) ?? 0;
    if (typeof retryAfterSeconds === "number") return refuseIfLimited(retryAfterSeconds);
    return retryAfterSeconds.then(refuseIfLimited);
  }

  /** authenticate() for an HTTP request; an API route's request remembers its Caller (see callerOf). */
  authenticateRequest(
    scope: AccessScope,
    request: IncomingMessage,
    credential: string | undefined,
  ): ClientId {
    const client = this.authenticate(scope, credential, clientAddress(request));
    if (scope === "api") this.rememberCaller(request, client, credential);
    return client;
  }

  /**
   * Authenticates a WebSocket connection's client from its connection parameters (or upgrade
   * headers); its upgrade request remembers the Caller, for every operation of the socket.
   */
  authenticateConnection(request: IncomingMessage, connectionParams: unknown): ClientId {
    const credential = credentialFromConnectionParams(connectionParams) ?? credentialFromHeaders(request);
    const client = this.authenticate("api", credential, clientAddress(request));
    this.rememberCaller(request, client, credential);
    return client;
  }

  private rememberCaller(request: IncomingMessage, client: ClientId, credential: string | undefined): void {
    if (!this.apiKeys.enabled) return;
    callers.set(request, { keyId: client, admin: this.adminKeys.match(credential) !== undefined });
  }
}

function refuseIfLimited(retryAfterSeconds: number): void {
  if (retryAfterSeconds > 0) throw new RateLimitedError(retryAfterSeconds);
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
