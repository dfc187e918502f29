// A generation that failed after it started: the resolver ends it with finish reason "error".
import type { Logger } from "pino";
import type { OpenAiError } from "./openAiError.js";
import { internalServerError } from "./toOpenAiError.js";

export function generationFailed(logger: Logger, id: string): OpenAiError {
  logger.error({ id }, "openai: generation failed after it started");
  return internalServerError();
}
