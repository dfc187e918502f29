// The server's ceilings on what one generation may ask for (--max-tokens-limit, --max-messages).
import { InvalidInputError } from "../errors.js";

export interface GenerationLimits {
  /** Most tokens a request may ask for, and what a request that names none gets; none: the context decides. */
  maxTokens?: number;
  /** Most messages one chat request may carry. */
  maxMessages?: number;
}

export const DEFAULT_MAX_MESSAGES = 1000;

/** The request's token budget under the ceiling: more than the ceiling is a 400 naming `maxTokens`. */
export function limitMaxTokens(requested: number | undefined, limits: GenerationLimits | undefined) {
  const ceiling = limits?.maxTokens;
  if (ceiling === undefined) return requested;
  if (requested !== undefined && requested > ceiling)
    throw new InvalidInputError(
      "maxTokens",
      `Invalid 'maxTokens': ${requested} is more than this server allows per request (${ceiling})`,
    );
  return requested ?? ceiling;
}

export function checkMessageCount(count: number, limits: GenerationLimits | undefined): void {
  const ceiling = limits?.maxMessages ?? DEFAULT_MAX_MESSAGES;
  if (count > ceiling)
    throw new InvalidInputError(
      "messages",
      `Invalid 'messages': ${count} messages is more than this server allows per request (${ceiling})`,
    );
}
