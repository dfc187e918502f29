// An error already in the OpenAI wire shape: HTTP status, {"error": {message, type, param, code}}, headers.

export type OpenAiErrorType =
  | "invalid_request_error"
  | "not_found_error"
  | "permission_error"
  | "rate_limit_error"
  | "server_error"
  | "service_unavailable_error";

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    readonly type: OpenAiErrorType,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "OpenAiError";
  }

  /** A 400 naming the offending request parameter (snake_case, as sent on the wire). */
  static invalidRequest(param: string | null, message: string, code: string | null = null): OpenAiError {
    return new OpenAiError(400, "invalid_request_error", message, param, code);
  }

  body(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
