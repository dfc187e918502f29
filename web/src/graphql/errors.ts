// Turns what can go wrong (GraphQL errors with inferql's extensions.code, closed sockets) into
// one error type, and that into a sentence a person can act on.

/** A GraphQL error as it arrives over the wire. */
export interface GraphqlErrorJson {
  message: string;
  extensions?: Readonly<Record<string, unknown>>;
}

export type RequestErrorKind = "graphql" | "connection" | "auth";

export class RequestError extends Error {
  constructor(
    message: string,
    readonly kind: RequestErrorKind,
    /** inferql's `extensions.code` (OVERLOADED, BAD_USER_INPUT, …) or the socket's close code. */
    readonly code?: string,
    /** The input field a BAD_USER_INPUT names. */
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/** WebSocket close codes the server uses to refuse a connection's credentials (graphql-ws: 4401, 4403). */
export const AUTH_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

export function fromGraphqlErrors(errors: readonly GraphqlErrorJson[]): RequestError {
  const first = errors[0];
  const extensions = first?.extensions ?? {};
  const code = typeof extensions.code === "string" ? extensions.code : undefined;
  const field = typeof extensions.field === "string" ? extensions.field : undefined;
  const retryAfter =
    typeof extensions.retryAfterSeconds === "number" ? extensions.retryAfterSeconds : undefined;
  const kind = code === "UNAUTHENTICATED" || code === "FORBIDDEN" ? "auth" : "graphql";
  return new RequestError(
    first?.message ?? "The server answered with an error.",
    kind,
    code,
    field,
    retryAfter,
  );
}

interface CloseEventLike {
  code: number;
  reason: string;
}

function isCloseEventLike(value: unknown): value is CloseEventLike {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

function isGraphqlErrorList(value: unknown): value is GraphqlErrorJson[] {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === "object" && item !== null && "message" in item)
  );
}

/** Whatever graphql-ws hands a sink's `error` (GraphQL errors, a CloseEvent, an Error). */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (isGraphqlErrorList(error)) return fromGraphqlErrors(error);
  if (isCloseEventLike(error)) {
    const reason = error.reason ? `: ${error.reason}` : "";
    if (AUTH_CLOSE_CODES.has(error.code))
      return new RequestError(
        `The server refused the connection (${error.code}${reason}).`,
        "auth",
        String(error.code),
      );
    return new RequestError(
      `The connection closed (${error.code}${reason}).`,
      "connection",
      String(error.code),
    );
  }
  if (error instanceof Error) return new RequestError(error.message, "connection");
  return new RequestError("The connection to the server failed.", "connection");
}

/** One plain sentence for a person: what happened and what to do. */
export function describeError(error: RequestError): string {
  if (error.kind === "auth")
    return `${error.message} Check the API key in the settings (it is sent as "Bearer <key>").`;
  if (error.kind === "connection") return `Lost the connection to the server. ${error.message}`;
  switch (error.code) {
    case "OVERLOADED": {
      const wait = error.retryAfterSeconds
        ? ` Try again in ${error.retryAfterSeconds} s.`
        : " Try again shortly.";
      return `The server is busy: every slot is generating and the queue is full.${wait}`;
    }
    case "BAD_USER_INPUT":
      return `The request was rejected${error.field ? ` (${error.field})` : ""}: ${error.message}`;
    case "MODEL_NOT_FOUND":
      return `${error.message} Pick another model.`;
    case "MODEL_NOT_READY":
      return "The model is still loading. Try again in a moment.";
    default:
      return error.message;
  }
}
