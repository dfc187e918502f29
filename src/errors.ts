// Domain errors shared by every layer: inference raises them, resolvers pass them on,
// and each transport translates them into its own wire shape (HTTP status, GraphQL code, tRPC code).

export type DomainErrorCode =
  | "INVALID_INPUT"
  | "MODEL_NOT_FOUND"
  | "OVERLOADED"
  | "MODEL_NOT_READY"
  | "UPSTREAM_TIMEOUT"
  | "CANCELLED"
  | "UNAUTHENTICATED"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "HOST_NOT_ALLOWED"
  | "INTERNAL";

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** The request is malformed or asks for something impossible; `field` names the offending input path. */
export class InvalidInputError extends DomainError {
  readonly code = "INVALID_INPUT";
  constructor(
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}

export class ModelNotFoundError extends DomainError {
  readonly code = "MODEL_NOT_FOUND";
  constructor(readonly modelId: string) {
    super(`The model '${modelId}' does not exist`);
    this.name = "ModelNotFoundError";
  }
}

/**
 * The server has no room for the request: its admission queue is full ("queueFull"), the request
 * waited in that queue for a free slot until its request timeout ("queueTimeout"), or the remote
 * upstream serving the model answered 429 ("upstream", with what it said). Either way it never
 * started, and the client should retry after `retryAfterSeconds`.
 */
export class OverloadedError extends DomainError {
  readonly code = "OVERLOADED";
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: "queueFull" | "queueTimeout" | "upstream" = "queueFull",
    upstreamMessage = "",
  ) {
    super(
      reason === "queueFull"
        ? "The server is overloaded: the request queue is full, retry later"
        : reason === "queueTimeout"
          ? "The server is overloaded: the request waited in the queue for a free slot until its request timeout, and never started; retry later"
          : `The upstream serving the model is overloaded: ${upstreamMessage}; retry later`,
    );
    this.name = "OverloadedError";
  }
}

export class ModelNotReadyError extends DomainError {
  readonly code = "MODEL_NOT_READY";
  /** What a client should wait before retrying while the model loads (the REST APIs send it). */
  readonly retryAfterSeconds = 5;
  /** The message names why: a model still loading, or (remote upstreams) no replica reachable now. */
  constructor(message = "The model is still loading") {
    super(message);
    this.name = "ModelNotReadyError";
  }
}

/**
 * A remote upstream's replicas sent nothing within their `timeout=` before the first token, and no
 * other replica could take the request: a gateway timeout (HTTP 504), as nginx or Envoy answer it.
 */
export class UpstreamTimeoutError extends DomainError {
  readonly code = "UPSTREAM_TIMEOUT";
  constructor(message: string) {
    super(message);
    this.name = "UpstreamTimeoutError";
  }
}

export class CancelledError extends DomainError {
  readonly code = "CANCELLED";
  constructor() {
    super("The request was cancelled");
    this.name = "CancelledError";
  }
}

/** The request carries no API key, or one the server does not know. */
export class UnauthenticatedError extends DomainError {
  readonly code = "UNAUTHENTICATED";
  constructor(message = "A valid API key is required: send it as 'Authorization: Bearer <key>'") {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** This client (API key, or address when the server has no keys) used up its request rate. */
export class RateLimitedError extends DomainError {
  readonly code = "RATE_LIMITED";
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit reached: retry after ${retryAfterSeconds} s`);
    this.name = "RateLimitedError";
  }
}

/** The request body (or WebSocket message) is larger than the server accepts. */
export class PayloadTooLargeError extends DomainError {
  readonly code = "PAYLOAD_TOO_LARGE";
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes`);
    this.name = "PayloadTooLargeError";
  }
}

/** The request names a Host this server is not known by (DNS rebinding; security/hostCheck.ts). */
export class HostNotAllowedError extends DomainError {
  readonly code = "HOST_NOT_ALLOWED";
  constructor(readonly host: string) {
    super(
      `The host '${host}' is not one this server answers to (a DNS rebinding guard): see --allowed-hosts`,
    );
    this.name = "HostNotAllowedError";
  }
}

/** Anything unexpected. Its message is safe to show; the cause is only logged. */
export class InternalError extends DomainError {
  readonly code = "INTERNAL";
  constructor(cause?: unknown) {
    super("Internal server error", { cause });
    this.name = "InternalError";
  }
}

export function toDomainError(error: unknown): DomainError {
  return error instanceof DomainError ? error : new InternalError(error);
}

/** How long a client should wait before retrying, for the errors that say so (a full queue, a rate limit). */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  return error instanceof OverloadedError || error instanceof RateLimitedError
    ? error.retryAfterSeconds
    : undefined;
}
