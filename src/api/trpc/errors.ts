// Domain errors and schema failures as TRPCErrors: one translation for HTTP, SSE and WebSocket.
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_NUMBER, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import {
  DomainError,
  type DomainErrorCode,
  InvalidInputError,
  PayloadTooLargeError,
  retryAfterSecondsOf,
} from "../../errors.js";
import { invalidInputFromIssue } from "../../resolvers/index.js";

const TRPC_CODE_BY_DOMAIN_CODE: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_INPUT: "BAD_REQUEST",
  MODEL_NOT_FOUND: "NOT_FOUND",
  OVERLOADED: "TOO_MANY_REQUESTS",
  MODEL_NOT_READY: "SERVICE_UNAVAILABLE",
  UPSTREAM_TIMEOUT: "GATEWAY_TIMEOUT",
  CANCELLED: "CLIENT_CLOSED_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  HOST_NOT_ALLOWED: "FORBIDDEN",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

const MASKED_MESSAGE = "Internal server error";
/** For input (an HTTP body or query parameter, a WebSocket message) that is not JSON. */
const NOT_JSON_MESSAGE = "The input is not valid JSON.";
/** For a WebSocket message that is JSON but not a tRPC call. */
const NOT_TRPC_MESSAGE = "The message is not a valid tRPC message: it must be JSON in tRPC's request shape.";

/** What a client finds in `error.data` besides tRPC's own fields. */
export interface InferqlErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  /** The procedure path. */
  path?: string;
  /** The offending input path (e.g. `messages.0.content`) of a BAD_REQUEST. */
  field?: string;
  /** How long to wait before retrying a TOO_MANY_REQUESTS. */
  retryAfterSeconds?: number;
  /** The size limit a PAYLOAD_TOO_LARGE broke. */
  limitBytes?: number;
}

export interface InferqlErrorShape {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: InferqlErrorData;
}

/**
 * tRPC wraps anything a procedure throws in an INTERNAL_SERVER_ERROR whose cause is the thrown
 * value, and a failed `.input()` parse in a BAD_REQUEST whose cause is the schema error. This gives
 * each its own code and a safe message. Idempotent.
 */
export function toTrpcError(error: TRPCError): TRPCError {
  const { cause } = error;
  if (error.code === "INTERNAL_SERVER_ERROR" && cause instanceof DomainError)
    return new TRPCError({ code: TRPC_CODE_BY_DOMAIN_CODE[cause.code], message: cause.message, cause });
  if (error.code === "BAD_REQUEST" && !(cause instanceof InvalidInputError)) {
    const invalid = invalidInputFromSchemaIssues(cause);
    if (invalid) return new TRPCError({ code: "BAD_REQUEST", message: invalid.message, cause: invalid });
  }
  return error;
}

export function toErrorShape(error: TRPCError, path: string | undefined): InferqlErrorShape {
  const translated = toTrpcError(error);
  const { cause } = translated;
  return {
    code: TRPC_ERROR_CODES_BY_KEY[translated.code],
    message: publicMessage(translated),
    data: {
      code: translated.code,
      httpStatus: getHTTPStatusCodeFromError(translated),
      ...(path !== undefined ? { path } : {}),
      ...(cause instanceof InvalidInputError && cause.field !== undefined ? { field: cause.field } : {}),
      ...(retryAfterSecondsOf(cause) !== undefined ? { retryAfterSeconds: retryAfterSecondsOf(cause) } : {}),
      ...(cause instanceof PayloadTooLargeError ? { limitBytes: cause.limitBytes } : {}),
    },
  };
}

/**
 * Internal errors are masked. An error that only repeats its cause's words (tRPC wraps `JSON.parse`
 * and its WebSocket message checks so) would tell how the server parses, not what the client should send.
 */
function publicMessage(error: TRPCError): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return MASKED_MESSAGE;
  const repeatsCause = error.cause instanceof Error && error.message === error.cause.message;
  if (repeatsCause && error.cause instanceof SyntaxError) return NOT_JSON_MESSAGE;
  if (repeatsCause && error.code === "PARSE_ERROR") return NOT_TRPC_MESSAGE;
  return error.message;
}

/** Zod (or any Standard Schema) issues → the InvalidInputError the resolvers would raise. */
function invalidInputFromSchemaIssues(cause: unknown): InvalidInputError | undefined {
  if (typeof cause !== "object" || cause === null || !("issues" in cause) || !Array.isArray(cause.issues))
    return undefined;
  const issue: unknown = cause.issues[0];
  if (typeof issue !== "object" || issue === null || !("message" in issue)) return undefined;
  const path = "path" in issue && Array.isArray(issue.path) ? issue.path : [];
  return invalidInputFromIssue({
    code: "code" in issue ? String(issue.code) : undefined,
    message: String(issue.message),
    path: path.map((segment) => String(pathKey(segment))),
    keys: "keys" in issue && Array.isArray(issue.keys) ? issue.keys.map(String) : undefined,
  });
}

/** Standard Schema path segments are keys or `{ key }` objects. */
function pathKey(segment: unknown): unknown {
  return typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment;
}
