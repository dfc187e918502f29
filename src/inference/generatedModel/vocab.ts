// SentencePiece ("llama") vocabulary with byte fallback and ChatML control tokens for generated models.

/** llama.cpp token types (`tokenizer.ggml.token_type`). */
export const TokenType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;
export type TokenTypeCode = (typeof TokenType)[keyof typeof TokenType];

/** Fixed ids of the special tokens at the start of every generated vocab. */
export const SpecialTokenId = { unk: 0, bos: 1, eos: 2, imStart: 3, imEnd: 4 } as const;
/** Id of the byte token `<0x00>`; byte b is `BYTE_TOKEN_OFFSET + b`. */
export const BYTE_TOKEN_OFFSET = 5;
/** SentencePiece's word-boundary marker (a space). */
export const SPM_SPACE = "\u2581";

export interface SpmVocab {
  tokens: string[];
  scores: number[];
  types: TokenTypeCode[];
  /** Token text → id. */
  ids: Map<string, number>;
}

/** A token appended to the vocab (a chat family's control or user-defined token). */
export interface ExtraVocabToken {
  text: string;
  type: TokenTypeCode;
}

const WORDS = (
  "the of and to in is that it for was on are as with be by this at from or have an not but " +
  "what all were we when your can said there use each which she do how their if will up other " +
  "about out many then them these so some her would make like him into time has look two more " +
  "write go see number no way could people my than first water been call who its now find long " +
  "down day did get come made may part hello world model token json user assistant system yes " +
  "true false null name value data text you I a"
)
  .split(/\s+/)
  .filter(Boolean);
const SUFFIXES = [
  "ing",
  "ed",
  "er",
  "es",
  "ly",
  "tion",
  "s",
  "th",
  "he",
  "in",
  "an",
  "re",
  "on",
  "at",
  "en",
  "nd",
];
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const MAX_FILLER_LENGTH = 5;

/**
 * Builds the vocab in a fixed order: <unk>, <s>, </s>, <|im_start|>, <|im_end|>, the 256 byte tokens <0x00>..<0xFF>,
 * "▁" and printable ASCII, then merged pieces (suffixes, "▁word", "word" with their prefix closures so SPM merges
 * can reach them), then, while below `minSize`, deterministic filler pieces ("▁aa", "aa", "▁ab", ...), and last the
 * `extra` tokens (after the padding, so no other id moves; a text already in the vocab keeps its id and takes the
 * extra token's type).
 */
export function buildSpmVocab(minSize = 0, extra: readonly ExtraVocabToken[] = []): SpmVocab {
  const vocab: SpmVocab = { tokens: [], scores: [], types: [], ids: new Map() };
  const add = (text: string, score: number, type: TokenTypeCode): void => {
    if (vocab.ids.has(text)) return;
    vocab.ids.set(text, vocab.tokens.length);
    vocab.tokens.push(text);
    vocab.scores.push(score);
    vocab.types.push(type);
  };

  add("<unk>", 0, TokenType.unknown);
  add("<s>", 0, TokenType.control);
  add("</s>", 0, TokenType.control);
  add("<|im_start|>", 0, TokenType.control);
  add("<|im_end|>", 0, TokenType.control);
  for (let b = 0; b < 256; b++) {
    add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, 0, TokenType.byte);
  }

  add(SPM_SPACE, -1, TokenType.normal);
  for (let c = 33; c < 127; c++) add(String.fromCharCode(c), -1, TokenType.normal);

  // Every prefix of length >= 2 becomes a token; the rank (and so the score) advances even for duplicates.
  let rank = 0;
  const addPiece = (piece: string): void => {
    const chars = [...piece];
    for (let i = 2; i <= chars.length; i++) {
      add(chars.slice(0, i).join(""), -2 - rank++ * 0.001, TokenType.normal);
    }
  };
  for (const suffix of SUFFIXES) addPiece(suffix);
  for (const word of WORDS) addPiece(SPM_SPACE + word);
  for (const word of WORDS) if (word.length > 1) addPiece(word);

  for (let length = 2; length <= MAX_FILLER_LENGTH && vocab.tokens.length < minSize; length++) {
    const total = LETTERS.length ** length;
    for (let i = 0; i < total && vocab.tokens.length < minSize; i++) {
      let x = i;
      let text = "";
      for (let k = 0; k < length; k++) {
        text = LETTERS[x % LETTERS.length] + text;
        x = Math.floor(x / LETTERS.length);
      }
      add(SPM_SPACE + text, -10 - vocab.tokens.length * 1e-4, TokenType.normal);
      if (vocab.tokens.length < minSize) add(text, -10 - vocab.tokens.length * 1e-4, TokenType.normal);
    }
  }
  for (const { text, type } of extra) {
    const id = vocab.ids.get(text);
    if (id === undefined) add(text, 0, type);
    else vocab.types[id] = type;
  }
  return vocab;
}
