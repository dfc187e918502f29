// GBNF for decimal numbers inside bounds: digit-by-digit alternatives, so a bound holds exactly
// rather than being checked after generation.
import { gbnfAlternatives, gbnfSequence } from "./gbnfText.js";

/**
 * Integers are written with at most this many digits, and so are the integer parts of numbers:
 * every such value is a safe integer (below 2^53) and parses back exactly.
 */
export const MAX_INTEGER_DIGITS = 15;
export const MAX_MAGNITUDE = 10 ** MAX_INTEGER_DIGITS - 1;
/** Significant digits a double always round-trips (DBL_DIG). */
const EXACT_DIGITS = 15;

/** An integer written with a zero fraction ("3.000") is still exactly that integer. */
const zeroFraction = `("." "0"{1,${EXACT_DIGITS}})?`;

const digitCount = (value: number): number => String(value).length;

function digitClass(low: number, high: number): string {
  return low === high ? `"${low}"` : `[${low}-${high}]`;
}

function anyDigits(count: number): string {
  return count === 0 ? "" : count === 1 ? "[0-9]" : `[0-9]{${count}}`;
}

/** Digit strings of equal length from `low` to `high` (inclusive, `low <= high`). */
function sameLengthRange(low: string, high: string): string {
  if (low.length === 0) return "";
  const [lowFirst, highFirst] = [Number(low[0]), Number(high[0])];
  const [lowRest, highRest] = [low.slice(1), high.slice(1)];
  if (lowFirst === highFirst) return gbnfSequence(`"${lowFirst}"`, sameLengthRange(lowRest, highRest));
  const lowRestIsMinimum = /^0*$/.test(lowRest);
  const highRestIsMaximum = /^9*$/.test(highRest);
  const alternatives: string[] = [];
  if (!lowRestIsMinimum)
    alternatives.push(gbnfSequence(`"${lowFirst}"`, sameLengthRange(lowRest, "9".repeat(lowRest.length))));
  const middleLow = lowRestIsMinimum ? lowFirst : lowFirst + 1;
  const middleHigh = highRestIsMaximum ? highFirst : highFirst - 1;
  if (middleLow <= middleHigh)
    alternatives.push(gbnfSequence(digitClass(middleLow, middleHigh), anyDigits(lowRest.length)));
  if (!highRestIsMaximum)
    alternatives.push(gbnfSequence(`"${highFirst}"`, sameLengthRange("0".repeat(highRest.length), highRest)));
  return gbnfAlternatives(alternatives);
}

/**
 * Non-negative integers from `low` to `high` inclusive, without leading zeros; `undefined` when
 * there are none. Both bounds are integers within MAX_MAGNITUDE.
 */
export function naturalRange(low: number, high: number): string | undefined {
  if (low > high) return undefined;
  const alternatives: string[] = [];
  for (let digits = digitCount(low); digits <= digitCount(high); digits++) {
    const from = Math.max(low, digits === 1 ? 0 : 10 ** (digits - 1));
    const to = Math.min(high, 10 ** digits - 1);
    alternatives.push(sameLengthRange(String(from), String(to)));
  }
  return gbnfAlternatives(alternatives);
}

/** Integers from `low` to `high` inclusive (both within ±MAX_MAGNITUDE); `undefined` when none. */
export function integerRange(low: number, high: number): string | undefined {
  const alternatives: string[] = [];
  if (low < 0) {
    const negative = naturalRange(Math.max(1, -high), -low);
    if (negative) alternatives.push(`"-" ${negative}`);
  }
  if (high >= 0) {
    const natural = naturalRange(Math.max(0, low), high);
    if (natural) alternatives.push(natural);
  }
  return alternatives.length ? gbnfAlternatives(alternatives) : undefined;
}

export interface Bound {
  value: number;
  exclusive: boolean;
}

/**
 * Unsigned decimals (an integer part and an optional fraction, no exponent) between two integer
 * bounds, `low.value >= 0`; `high` undefined: up to MAX_MAGNITUDE. Where a bound is exclusive or
 * rounding could reach it, the fraction is short enough to parse back exactly.
 */
function unsignedDecimalRange(low: Bound, high: Bound | undefined): string | undefined {
  const top = high?.value ?? MAX_MAGNITUDE;
  if (low.value > top) return undefined;
  if (low.value === top)
    return low.exclusive || high?.exclusive ? undefined : gbnfSequence(`"${top}"`, zeroFraction);
  // Fractions next to an exclusive top must not round up onto it.
  const belowTop = high?.exclusive ? EXACT_DIGITS - digitCount(top) : EXACT_DIGITS;
  const lowFraction = low.value + 1 === top ? belowTop : EXACT_DIGITS;
  const alternatives: string[] = [];
  if (!low.exclusive) alternatives.push(gbnfSequence(`"${low.value}"`, anyFraction(lowFraction)));
  else {
    // Nor may a fraction above an exclusive low round down onto it.
    const above = nonZeroFraction(Math.min(lowFraction, EXACT_DIGITS - digitCount(low.value)));
    if (above) alternatives.push(`"${low.value}" ${above}`);
  }
  const middle = naturalRange(low.value + 1, top - 1);
  if (middle) alternatives.push(gbnfSequence(middle, anyFraction(belowTop)));
  if (!high?.exclusive)
    alternatives.push(gbnfSequence(`"${top}"`, high ? zeroFraction : anyFraction(EXACT_DIGITS)));
  return alternatives.length ? gbnfAlternatives(alternatives) : undefined;
}

function anyFraction(digits: number): string {
  return digits > 0 ? `("." [0-9]{1,${digits}})?` : "";
}

/** A non-zero fraction of at most `digits` digits, ending in a non-zero digit (a subset, but each is above 0). */
function nonZeroFraction(digits: number): string | undefined {
  if (digits <= 0) return undefined;
  return digits === 1 ? `"." [1-9]` : `"." [0-9]{0,${digits - 1}} [1-9]`;
}

/**
 * Decimals between integer bounds (either may be undefined: ±MAX_MAGNITUDE), `undefined` when
 * there are none. Bounds must be integers within ±MAX_MAGNITUDE.
 */
export function decimalRange(low: Bound | undefined, high: Bound | undefined): string | undefined {
  const alternatives: string[] = [];
  if (!high || high.value >= 0) {
    const from = low && low.value >= 0 ? low : { value: 0, exclusive: false };
    const positive = unsignedDecimalRange(from, high);
    if (positive) alternatives.push(positive);
  }
  if (!low || low.value < 0) {
    // Magnitudes of the negative values: above -high (strictly above 0, so no "-0").
    const from = high && high.value < 0 ? { value: -high.value, exclusive: high.exclusive } : undefined;
    const negative = unsignedDecimalRange(
      from ?? { value: 0, exclusive: true },
      low ? { value: -low.value, exclusive: low.exclusive } : undefined,
    );
    if (negative) alternatives.push(`"-" ${negative}`);
  }
  return alternatives.length ? gbnfAlternatives(alternatives) : undefined;
}
