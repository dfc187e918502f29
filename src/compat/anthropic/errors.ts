// Errors in Anthropic's wire shape, {"type": "error", "error": {type, message}}, with the status codes
// Anthropic documents: 400 invalid_request_error, 401 authentication_error, 403 permission_error,
// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500 api_error, 504 timeout_error,
// 529 overloaded_error.
import type { Logger } from "pino";
import type { z } from "zod";
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
} from "../../errors.js";
import { OpenAiError } from "../openai/errors/openAiError.js";
import { type ParamRenames, toWireParam } from "../openai/errors/wireParam.js";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export class AnthropicError extends Error {
  constructor(
    readonly status: number,
    readonly type: AnthropicErrorType,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "AnthropicError";
  }

  static invalidRequest(message: string): AnthropicError {
    return new AnthropicError(400, "invalid_request_error", message);
  }

  body(): AnthropicErrorBody {
    return { type: "error", error: { type: this.type, message: this.message } };
  }
}

/** Checks a request body against its protocol schema; the first problem is a 400 naming the field's path. */
export function parseAnthropicRequest<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join(".");
  throw AnthropicError.invalidRequest(path ? `${path}: ${issue.message}` : issue.message);
}

/** `renames`: resolver fields whose Messages API name is not their snake_case form (serving.ts). */
export function toAnthropicError(error: unknown, logger: Logger, renames: ParamRenames = {}): AnthropicError {
  if (error instanceof AnthropicError) return error;
  // The shared HTTP helpers (body reading, route matching) speak OpenAI: keep their status and message.
  if (error instanceof OpenAiError)
    return new AnthropicError(error.status, typeOfStatus(error.status), error.message, error.headers);
  if (error instanceof InvalidInputError) {
    if (error.field === undefined) return AnthropicError.invalidRequest(error.message);
    // Resolver messages quote their camelCase field; the client knows it by its wire name.
    const param = toWireParam(error.field, renames);
    return AnthropicError.invalidRequest(error.message.replaceAll(`'${error.field}'`, `'${param}'`));
  }
  if (error instanceof ModelNotFoundError) return new AnthropicError(404, "not_found_error", error.message);
  // Anthropic answers a server with no room 529 overloaded_error (its SDK retries it).
  if (error instanceof OverloadedError)
    return new AnthropicError(529, "overloaded_error", error.message, {
      "retry-after": String(error.retryAfterSeconds),
    });
  if (error instanceof ModelNotReadyError)
    return new AnthropicError(529, "overloaded_error", error.message, {
      "retry-after": String(error.retryAfterSeconds),
    });
  if (error instanceof RateLimitedError)
    return new AnthropicError(429, "rate_limit_error", error.message, {
      "retry-after": String(error.retryAfterSeconds),
    });
  if (error instanceof UnauthenticatedError)
    return new AnthropicError(
      401,
      "authentication_error",
      "A valid API key is required: send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'",
    );
  if (error instanceof HostNotAllowedError) return new AnthropicError(403, "permission_error", error.message);
  if (error instanceof PayloadTooLargeError)
    return new AnthropicError(413, "request_too_large", error.message);
  if (error instanceof UpstreamTimeoutError) return new AnthropicError(504, "timeout_error", error.message);
  // Cancelled before it started: by cancelGeneration or by shutdown, never by this client (it is gone).
  if (error instanceof CancelledError) return new AnthropicError(500, "api_error", error.message);
  logger.error({ err: error }, "anthropic: request failed");
  return internalError();
}

export function internalError(): AnthropicError {
  return new AnthropicError(500, "api_error", "Internal server error");
}

function typeOfStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
    case 405:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    default:
      return status < 500 ? "invalid_request_error" : "api_error";
  }
}
