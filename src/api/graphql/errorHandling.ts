// Domain errors → GraphQL errors with `extensions.code`; anything else is masked (yoga's
// maskedErrors) and logged once with the request id, which the masked error also carries.
import { GraphQLError, type GraphQLErrorExtensions } from "graphql";
import {
  handleStreamOrSingleExecutionResult,
  isAsyncIterable,
  type Plugin,
  type YogaLogger,
  maskError as yogaMaskError,
} from "graphql-yoga";
import type { Logger } from "pino";
import {
  DomainError,
  type DomainErrorCode,
  InternalError,
  InvalidInputError,
  ModelNotFoundError,
  PayloadTooLargeError,
  retryAfterSecondsOf,
} from "../../errors.js";
import type { GraphqlContext } from "./context.js";

/** The domain error a resolver threw, when it is one a client may see (InternalError is not). */
function publicDomainError(error: unknown): DomainError | undefined {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof GraphQLError) return publicDomainError(original);
  return original instanceof DomainError && !(original instanceof InternalError) ? original : undefined;
}

export function domainErrorExtensions(error: DomainError): GraphQLErrorExtensions {
  if (error instanceof InvalidInputError) return { code: "BAD_USER_INPUT", field: error.field };
  if (error instanceof ModelNotFoundError) return { code: error.code, modelId: error.modelId };
  if (error instanceof PayloadTooLargeError) return { code: error.code, limitBytes: error.limitBytes };
  const retryAfterSeconds = retryAfterSecondsOf(error);
  if (retryAfterSeconds !== undefined) return { code: error.code, retryAfterSeconds };
  return { code: error.code };
}

/** A domain error as a GraphQL error with its `extensions.code` (and no HTTP status: the caller picks it). */
export function toGraphqlError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: domainErrorExtensions(error) });
}

/** The HTTP status of a request a domain error failed before it had any data (as the REST layer answers it). */
const REQUEST_ERROR_STATUS: Record<DomainErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  MODEL_NOT_FOUND: 404,
  HOST_NOT_ALLOWED: 403,
  PAYLOAD_TOO_LARGE: 413,
  OVERLOADED: 429,
  RATE_LIMITED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  MODEL_NOT_READY: 503,
  UPSTREAM_TIMEOUT: 504,
};

/**
 * An operation that a domain error failed before it had data (a subscription whose input the
 * resolver refused) is a request error. Yoga answers an error that wraps a non-GraphQL error with a
 * 500; this marks it the way yoga marks its own request errors (`http.spec`): the domain error's
 * status for `application/graphql-response+json`, and 200 with the errors for `application/json`
 * and SSE, as over graphql-ws (graphql-sse's client would take any other status for a network
 * failure and retry instead of showing the error). Yoga strips `http` from what it sends.
 */
export const requestErrorStatusPlugin: Plugin = {
  onResultProcess: ({ result, setResult }) => {
    if (Array.isArray(result) || isAsyncIterable(result) || "data" in result || !result.errors?.length)
      return;
    setResult({ ...result, errors: result.errors.map(withRequestErrorStatus) });
  },
};

function withRequestErrorStatus(error: GraphQLError): GraphQLError {
  const domainError = error.extensions.http ? undefined : publicDomainError(error);
  if (!domainError) return error;
  const retryAfterSeconds = retryAfterSecondsOf(domainError);
  return withExtensions(error, {
    ...error.extensions,
    http: {
      spec: true,
      status: REQUEST_ERROR_STATUS[domainError.code],
      ...(retryAfterSeconds !== undefined ? { headers: { "retry-after": String(retryAfterSeconds) } } : {}),
    },
  });
}

/** An error a resolver threw that is neither a GraphQL error (validation, coercion) nor a public domain error. */
function isUnexpected(error: GraphQLError): boolean {
  return (
    error.originalError !== undefined &&
    !(error.originalError instanceof GraphQLError) &&
    !publicDomainError(error)
  );
}

export function createErrorHandling(logger: Logger) {
  /** Unexpected errors already logged, with the id of the request they belong to. */
  const loggedRequestIds = new WeakMap<object, string>();

  const logUnexpected = (errors: readonly GraphQLError[] | undefined, context: GraphqlContext) => {
    for (const error of errors ?? []) {
      if (!isUnexpected(error) || loggedRequestIds.has(error)) continue;
      loggedRequestIds.set(error, context.requestId);
      logger.error(
        { err: error.originalError, requestId: context.requestId, path: error.path?.join(".") },
        "GraphQL resolver failed",
      );
    }
  };

  /** Runs before yoga's masking (user plugins come first), so it sees the original errors. */
  const errorLogPlugin: Plugin<GraphqlContext> = {
    onExecute: () => ({
      onExecuteDone: (payload) =>
        handleStreamOrSingleExecutionResult(payload, ({ result, args }) =>
          logUnexpected(result.errors, args.contextValue),
        ),
    }),
    onSubscribe: () => ({
      onSubscribeResult: (payload) =>
        handleStreamOrSingleExecutionResult(payload, ({ result, args }) =>
          logUnexpected(result.errors, args.contextValue),
        ),
    }),
  };

  const maskError = (error: unknown, message: string): Error => {
    const domainError = publicDomainError(error);
    if (domainError) {
      const located = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(domainError.message, {
        nodes: located?.nodes,
        source: located?.source,
        positions: located?.positions,
        path: located?.path,
        originalError: domainError,
        extensions: domainErrorExtensions(domainError),
      });
    }
    const masked = yogaMaskError(error, message, false);
    const requestId = typeof error === "object" && error !== null ? loggedRequestIds.get(error) : undefined;
    if (!requestId || !(masked instanceof GraphQLError)) return masked;
    return new GraphQLError(masked.message, {
      nodes: masked.nodes,
      source: masked.source,
      positions: masked.positions,
      path: masked.path,
      extensions: { ...masked.extensions, requestId },
    });
  };

  /**
   * Yoga logs every error its masking replaced, domain errors included. Client errors and errors
   * already logged with their request id go to debug; anything else stays an error.
   */
  const yogaLogger: YogaLogger = {
    debug: (...args: unknown[]) => logger.debug({ yoga: args }, "graphql-yoga"),
    info: (...args: unknown[]) => logger.info({ yoga: args }, "graphql-yoga"),
    warn: (...args: unknown[]) => logger.warn({ yoga: args }, "graphql-yoga"),
    error: (...args: unknown[]) => {
      const expected = args.every(
        (arg) =>
          publicDomainError(arg) || (typeof arg === "object" && arg !== null && loggedRequestIds.has(arg)),
      );
      if (expected) logger.debug({ yoga: args }, "graphql-yoga: error handled");
      else logger.error({ err: args[0] }, "graphql-yoga: unexpected error");
    },
  };

  return { errorLogPlugin, maskError, yogaLogger };
}

/** The same error with other extensions (GraphQLError's extensions are read-only). */
export function withExtensions(error: GraphQLError, extensions: GraphQLError["extensions"]): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/**
 * Without yoga's internal extensions, which its HTTP transport strips before sending: `http` (the
 * status of validation errors; a WebSocket has none) and `unexpected` (its mark on masked errors).
 * So an error carries the same extensions over graphql-ws and our SSE writer as yoga sends.
 */
export function withoutYogaInternals(error: GraphQLError): GraphQLError {
  if (error.extensions.http === undefined && error.extensions.unexpected === undefined) return error;
  const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions;
  return withExtensions(error, extensions);
}
