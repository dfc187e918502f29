// Translation between llama-server's tokenize/detokenize wire format and the tokenize resolvers.
import type { DetokenizeInput, Tokenization, TokenizeInput } from "../../../resolvers/index.js";
import type { ParamRenames } from "../errors/wireParam.js";
import type { DetokenizeRequest, TokenizeRequest, TokenizeResponse } from "./protocol.js";

export const tokenizeParamRenames: ParamRenames = {
  text: "content",
  withSpecialTokens: "parse_special",
  addSpecialTokens: "add_special",
};

export function toTokenizeInput(request: TokenizeRequest): TokenizeInput {
  return {
    model: request.model,
    text: request.content,
    withSpecialTokens: request.parse_special ?? true,
    addSpecialTokens: request.add_special ?? false,
  };
}

export function toTokenizeResponse(tokenization: Tokenization, request: TokenizeRequest): TokenizeResponse {
  if (!request.with_pieces) return { tokens: tokenization.tokens.map((token) => token.id) };
  return { tokens: tokenization.tokens.map(({ id, piece, bytes }) => ({ id, piece: bytes ?? piece })) };
}

export function toDetokenizeInput(request: DetokenizeRequest): DetokenizeInput {
  return { model: request.model, tokens: request.tokens };
}
