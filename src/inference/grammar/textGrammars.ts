// Whole-output grammars for the constraints vLLM's structured outputs name besides JSON: a regular
// expression the whole text matches, and one of a list of choices.
import { gbnfAlternatives, gbnfLiteral } from "./gbnfText.js";
import { regexExpression } from "./regexGrammar.js";

/** A grammar for text that matches `pattern` in full. Throws UnsupportedRegexError. */
export function regexGrammar(pattern: string): string {
  return `root ::= ${regexExpression(pattern, "text", "full")}\n`;
}

/** A grammar for exactly one of `choices`. */
export function choiceGrammar(choices: readonly string[]): string {
  return `root ::= ${gbnfAlternatives([...new Set(choices)].map(gbnfLiteral))}\n`;
}
