// Domain errors shared by every layer: inference raises them, resolvers pass them on,
// and each transport translates them into its own wire shape (HTTP status, GraphQL code, tRPC code).

export type DomainErrorCode =
  | "INVALID_INPUT"
  | "MODEL_NOT_FOUND"
  | "OVERLOADED"
  | "MODEL_NOT_READY"
  | "CANCELLED"
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

/** The admission queue is full: the client should retry after `retryAfterSeconds`. */
export class OverloadedError extends DomainError {
  readonly code = "OVERLOADED";
  constructor(readonly retryAfterSeconds: number) {
    super("The server is overloaded: the request queue is full, retry later");
    this.name = "OverloadedError";
  }
}

export class ModelNotReadyError extends DomainError {
  readonly code = "MODEL_NOT_READY";
  constructor() {
    super("The model is still loading");
    this.name = "ModelNotReadyError";
  }
}

export class CancelledError extends DomainError {
  readonly code = "CANCELLED";
  constructor() {
    super("The request was cancelled");
    this.name = "CancelledError";
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
