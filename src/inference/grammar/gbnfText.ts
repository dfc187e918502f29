// Spelling text inside GBNF: quoted literals and character-class members.

const PLAIN_ASCII = /^[A-Za-z0-9 !#$%&'()*+,./:;<=>?@_`{|}~^\-[\]]$/;
const CLASS_SAFE = /^[A-Za-z0-9]$/;

function hexEscape(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** A GBNF string literal matching exactly `text` (code point by code point). */
export function gbnfLiteral(text: string): string {
  let body = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") body += `\\${char}`;
    else body += code >= 0x80 || PLAIN_ASCII.test(char) ? char : hexEscape(code);
  }
  return `"${body}"`;
}

/** One character as a member of a GBNF character class (`[...]`), escaped unless alphanumeric. */
export function gbnfClassMember(char: string): string {
  const code = char.codePointAt(0)!;
  return code >= 0x80 || CLASS_SAFE.test(char) ? char : hexEscape(code);
}

/** `expression` repeated between `min` and `max` times (`max` undefined: unbounded). */
export function gbnfRepeat(expression: string, min: number, max: number | undefined): string {
  if (max === 0) return "";
  const group = `(${expression})`;
  if (max === undefined) return min === 0 ? `${group}*` : min === 1 ? `${group}+` : `${group}{${min},}`;
  if (min === 0 && max === 1) return `${group}?`;
  return min === max ? `${group}{${min}}` : `${group}{${min},${max}}`;
}

/** The expressions in sequence, skipping empty ones; `""` when none are left (matches nothing extra). */
export function gbnfSequence(...parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}

/** Alternatives in one group; a single alternative stays as it is. */
export function gbnfAlternatives(alternatives: readonly string[]): string {
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(" | ")})`;
}
