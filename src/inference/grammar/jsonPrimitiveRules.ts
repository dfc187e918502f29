// The GBNF rules every compiled schema shares: whitespace, JSON strings, numbers, literals,
// any JSON value, and the string formats inferql enforces.
import { MAX_INTEGER_DIGITS } from "./decimalRanges.js";

/** At most this many spaces or tabs after a line break, so a model cannot pad forever. */
const MAX_INDENT = 20;
/** Fraction digits and exponent digits of an unbounded number: it always parses to a finite value. */
const MAX_FRACTION_DIGITS = 15;
const MAX_EXPONENT_DIGITS = 2;

const HEX = "[0-9a-fA-F]";
const TWO_DIGITS_00_59 = "[0-5] [0-9]";
const HOUR = `([01] [0-9] | "2" [0-3])`;
const MONTH_31 = `("0" [13578] | "1" [02])`;
const MONTH_30 = `("0" [469] | "11")`;
const DAY_31 = `("0" [1-9] | [12] [0-9] | "3" [01])`;
const DAY_30 = `("0" [1-9] | [12] [0-9] | "30")`;
const DAY_28 = `("0" [1-9] | "1" [0-9] | "2" [0-8])`;
/** Four-digit leap years: divisible by 4, and by 400 when by 100. */
const LEAP_YEAR = `([0-9] [0-9] ("0" [48] | [2468] [048] | [13579] [26]) | ([02468] [048] | [13579] [26]) "00")`;

/** Primitive rule names (without the prefix) and their bodies; `@` stands for the prefix. */
const PRIMITIVES: Record<string, string> = {
  space: `| " " | "\\n" [ \\t]{0,${MAX_INDENT}}`,
  // One decoded character: \u escapes of surrogates are left out, so a character counts once.
  char: `[^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" ([0-9a-cA-Ce-fE-F] ${HEX}{3} | [dD] [0-7] ${HEX}{2}))`,
  string: `"\\"" @char* "\\""`,
  integer: `"-"? ("0" | [1-9] [0-9]{0,${MAX_INTEGER_DIGITS - 1}})`,
  number: `@integer ("." [0-9]{1,${MAX_FRACTION_DIGITS}})? ([eE] [-+]? [0-9]{1,${MAX_EXPONENT_DIGITS}})?`,
  boolean: `"true" | "false"`,
  null: `"null"`,
  any: `@any-object | @any-array | @string | @number | @boolean | @null`,
  "any-object": `"{" @space (@string @space ":" @space @any @space ("," @space @string @space ":" @space @any @space)*)? "}"`,
  "any-array": `"[" @space (@any @space ("," @space @any @space)*)? "]"`,
  // Characters of a key that is not one of an object's declared names (no escapes, see extraKeyRule).
  "key-char": `[^"\\\\\\x7F\\x00-\\x1F]`,
  "date-body": `[0-9]{4} "-" (${MONTH_31} "-" ${DAY_31} | ${MONTH_30} "-" ${DAY_30} | "02" "-" ${DAY_28}) | ${LEAP_YEAR} "-02-29"`,
  "time-body": `${HOUR} ":" ${TWO_DIGITS_00_59} ":" ${TWO_DIGITS_00_59} ("." [0-9]{1,9})? ("Z" | "z" | [+-] ${HOUR} ":" ${TWO_DIGITS_00_59})`,
  date: `"\\"" @date-body "\\""`,
  time: `"\\"" @time-body "\\""`,
  "date-time": `"\\"" @date-body [Tt] @time-body "\\""`,
  uuid: `"\\"" [0-9a-f]{8} "-" [0-9a-f]{4} "-" [0-9a-f]{4} "-" [0-9a-f]{4} "-" [0-9a-f]{12} "\\""`,
};

/** String formats with a grammar of their own; other formats are plain strings. */
export const ENFORCED_STRING_FORMATS: ReadonlySet<string> = new Set(["date", "time", "date-time", "uuid"]);

export type PrimitiveName = keyof typeof PRIMITIVES;

/** The primitive `name` and those it uses, as `[prefixed name, body]` pairs, into `into`. */
export function addPrimitiveRule(name: string, prefix: string, into: Map<string, string>): string {
  const ruleName = prefix + name;
  if (into.has(ruleName)) return ruleName;
  const body = PRIMITIVES[name];
  if (body === undefined) throw new Error(`No primitive GBNF rule '${name}'`);
  into.set(ruleName, "");
  const used = body.match(/@[a-z-]+/g) ?? [];
  for (const reference of used) addPrimitiveRule(reference.slice(1), prefix, into);
  into.set(ruleName, body.replaceAll("@", prefix));
  return ruleName;
}
