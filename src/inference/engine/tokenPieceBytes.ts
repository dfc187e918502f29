// A token's piece as raw bytes, as llama.cpp's token_to_piece (special tokens included) gives it:
// with its leading space, and a byte-fallback token as its one byte even when that is no whole UTF-8 character.
import type { LlamaModel, Token } from "node-llama-cpp";

const utf8 = new TextEncoder();

/** GPT-2's byte-level BPE alphabet, reversed: the character a byte is written as, back to the byte. */
const gpt2ByteOfChar: ReadonlyMap<number, number> = (() => {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const map = new Map<number, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) map.set(printable(byte) ? byte : 256 + shifted++, byte);
  return map;
})();

export function tokenPieceBytes(model: LlamaModel, token: Token): Uint8Array {
  const vocabulary = model.fileInfo.metadata.tokenizer.ggml;
  const text = vocabulary.tokens[token];
  const attributes = model.getTokenAttributes(token);
  if (text === undefined || attributes.control || attributes.userDefined)
    return utf8.encode(model.detokenize([token], true));
  const byteToken = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
  if (attributes.byte && byteToken) return Uint8Array.of(Number.parseInt(byteToken[1], 16));
  switch (vocabulary.model) {
    case "llama":
    case "t5":
      // SentencePiece writes a space as U+2581; an unknown token reads as U+2585, as llama.cpp prints it.
      return utf8.encode(attributes.unknown ? "\u2585" : text.replaceAll("\u2581", " "));
    case "gpt2":
      return Uint8Array.from(
        [...text].flatMap((char) => {
          const byte = gpt2ByteOfChar.get(char.codePointAt(0)!);
          return byte === undefined ? [...utf8.encode(char)] : [byte];
        }),
      );
    default:
      return utf8.encode(model.detokenize([token], true));
  }
}
