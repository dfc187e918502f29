// Errors as Ollama answers them: `{"error": "<message>"}` with the HTTP status, in a stream a line of
// that object. Statuses and messages are the OpenAI layer's (400 for a bad field, 404 for an unknown
// model, 429 with Retry-After when full…); only the body's shape is Ollama's.
import type { Logger } from "pino";
import { toOpenAiError } from "../openai/errors/toOpenAiError.js";
import type { ParamRenames } from "../openai/errors/wireParam.js";
import type { ErrorAnswer } from "../openai/http/dispatchRoute.js";
import type { ErrorBody } from "./protocol.js";

export class OllamaError extends Error implements ErrorAnswer {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "OllamaError";
  }

  body(): ErrorBody {
    return { error: this.message };
  }
}

export function toOllamaError(error: unknown, renames: ParamRenames, logger: Logger): OllamaError {
  if (error instanceof OllamaError) return error;
  const { status, message, headers } = toOpenAiError(error, renames, logger);
  return new OllamaError(status, message, { ...headers });
}

export function internalError(): OllamaError {
  return new OllamaError(500, "Internal server error");
}
