// Tokenize and detokenize with a model's own tokenizer: a local model's, or a remote upstream's
// replicas' (llama-server's /tokenize and /detokenize).

import type { Token } from "node-llama-cpp";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { RemoteModel } from "../inference/remote/remoteModel.js";
import type { InferenceDeps } from "./context.js";
import { parseInput } from "./parseInput.js";

export const tokenizeInputSchema = z.strictObject({
  model: z.string().min(1).optional(),
  text: z.string(),
  withSpecialTokens: z
    .boolean()
    .default(false)
    .describe("Parse control-token text such as <|im_end|> as tokens"),
  addSpecialTokens: z
    .boolean()
    .default(false)
    .describe("Add BOS / EOS where the model's tokenizer adds them to a prompt"),
});

export const detokenizeInputSchema = z.strictObject({
  model: z.string().min(1).optional(),
  tokens: z.array(z.number().int().min(0)).max(1_000_000),
});

export type TokenizeInput = z.input<typeof tokenizeInputSchema>;
export type DetokenizeInput = z.input<typeof detokenizeInputSchema>;

export interface TokenPiece {
  id: number;
  /** The token's text as the model writes it, leading space and control-token text included. */
  piece: string;
  /** The piece's bytes, only when they are not valid UTF-8 on their own (a byte-fallback token): `piece` then holds U+FFFD. */
  bytes?: number[];
}

export interface Tokenization {
  model: string;
  tokens: TokenPiece[];
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder("utf-8");

function tokenPiece(id: number, bytes: Uint8Array): TokenPiece {
  try {
    return { id, piece: strictUtf8.decode(bytes) };
  } catch {
    return { id, piece: lossyUtf8.decode(bytes), bytes: [...bytes] };
  }
}

export async function tokenize(deps: InferenceDeps, input: TokenizeInput | unknown): Promise<Tokenization> {
  const parsed = parseInput(tokenizeInputSchema, input);
  const model = deps.registry.get(parsed.model ?? deps.registry.defaultModelId);
  if (model instanceof RemoteModel) {
    const tokens = await model.tokenize(parsed.text, parsed.withSpecialTokens, parsed.addSpecialTokens);
    return {
      model: model.id,
      tokens: tokens.map(({ id, piece }) =>
        typeof piece === "string" ? { id, piece } : tokenPiece(id, Uint8Array.from(piece)),
      ),
    };
  }
  const tokens = model.tokenize(parsed.text, parsed.withSpecialTokens, parsed.addSpecialTokens);
  return { model: model.id, tokens: tokens.map((id) => tokenPiece(id, model.tokenBytes(id))) };
}

export async function detokenize(
  deps: InferenceDeps,
  input: DetokenizeInput | unknown,
): Promise<{ model: string; text: string }> {
  const parsed = parseInput(detokenizeInputSchema, input);
  const model = deps.registry.get(parsed.model ?? deps.registry.defaultModelId);
  // Token ids are the replica's: it checks them.
  if (model instanceof RemoteModel) return { model: model.id, text: await model.detokenize(parsed.tokens) };
  const invalid = parsed.tokens.findIndex((token) => !model.isValidToken(token));
  if (invalid >= 0)
    throw new InvalidInputError(`tokens.${invalid}`, `Unknown token id ${parsed.tokens[invalid]}`);
  return { model: model.id, text: model.detokenize(parsed.tokens as Token[], false) };
}
