// Translates anything a route throws into an OpenAI error: domain errors keep their meaning,
// everything unexpected becomes a masked 500 whose cause only reaches the log.
import type { Logger } from "pino";
import {
  CancelledError,
  HostNotAllowedError,
  InvalidInputError,
  ModelNotFoundError,
  ModelNotReadyError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthenticatedError,
  UpstreamTimeoutError,
} from "../../../errors.js";
import { OpenAiError } from "./openAiError.js";
import { type ParamRenames, toWireParam } from "./wireParam.js";

export function toOpenAiError(error: unknown, renames: ParamRenames, logger: Logger): OpenAiError {
  if (error instanceof OpenAiError) return error;
  if (error instanceof InvalidInputError) {
    if (error.field === undefined) return OpenAiError.invalidRequest(null, error.message);
    const param = toWireParam(error.field, renames);
    // Resolver messages quote their camelCase field; the client knows it by its wire name.
    return OpenAiError.invalidRequest(param, error.message.replaceAll(`'${error.field}'`, `'${param}'`));
  }
  if (error instanceof ModelNotFoundError)
    return new OpenAiError(404, "invalid_request_error", error.message, "model", "model_not_found");
  if (error instanceof OverloadedError)
    return new OpenAiError(429, "rate_limit_error", error.message, null, "rate_limit_exceeded", {
      "retry-after": String(error.retryAfterSeconds),
    });
  if (error instanceof RateLimitedError)
    return new OpenAiError(429, "rate_limit_error", error.message, null, "rate_limit_exceeded", {
      "retry-after": String(error.retryAfterSeconds),
    });
  // OpenAI's own answer to a missing or wrong key.
  if (error instanceof UnauthenticatedError)
    return new OpenAiError(401, "invalid_request_error", error.message, null, "invalid_api_key");
  if (error instanceof HostNotAllowedError)
    return new OpenAiError(403, "permission_error", error.message, null, "host_not_allowed");
  if (error instanceof PayloadTooLargeError)
    return new OpenAiError(413, "invalid_request_error", error.message, null, "request_too_large");
  if (error instanceof ModelNotReadyError)
    return new OpenAiError(503, "service_unavailable_error", error.message, null, "model_not_ready", {
      "retry-after": String(error.retryAfterSeconds),
    });
  if (error instanceof UpstreamTimeoutError)
    return new OpenAiError(504, "server_error", error.message, null, "upstream_timeout");
  // Cancelled before it started: by cancelGeneration or by shutdown, never by this client (it is gone).
  if (error instanceof CancelledError)
    return new OpenAiError(503, "service_unavailable_error", error.message, null, "request_cancelled");
  logger.error({ err: error }, "openai: request failed");
  return internalServerError();
}

export function internalServerError(): OpenAiError {
  return new OpenAiError(500, "server_error", "Internal server error", null, "internal_error");
}
