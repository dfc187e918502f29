// inferql's JSON schema → GBNF compiler: what it accepts, what it refuses, and why.
//
// Supported: type (and type lists), nullable, enum, const, anyOf / oneOf (as alternatives), allOf of
// object schemas (merged), properties / required (declared order, optional members may be absent),
// additionalProperties (false, true or a schema; with declared properties and no additionalProperties,
// no other keys are written), items / prefixItems / additionalItems / minItems / maxItems,
// minLength / maxLength, formats date, time, date-time and uuid (other formats: any string),
// minimum / maximum / exclusiveMinimum / exclusiveMaximum (integers: any bounds; numbers: integer
// bounds), local $refs (recursion included). Annotations ($schema, $id, title, description, default,
// examples, ...) are ignored. Numbers have at most 15 integer digits, 15 fraction digits and a two-digit
// exponent, so they always parse to finite values. Anything else that constrains values is refused.
import type { JsonSchema } from "../types.js";
import { JsonSchemaCompiler } from "./jsonSchemaCompiler.js";

/**
 * GBNF rules for values matching `schema`; every rule name starts with `prefix` (e.g. "p0-"), the
 * value rule is `${prefix}value`. Throws UnsupportedJsonSchemaError.
 */
export function jsonSchemaRules(schema: JsonSchema, prefix: string): { rootRule: string; rules: string } {
  if (!/^[A-Za-z0-9-]*$/.test(prefix))
    throw new Error(`GBNF rule prefix '${prefix}' must be letters, digits and '-'`);
  return new JsonSchemaCompiler(schema, prefix).compileRoot();
}

/** A complete grammar (with `root ::=`) for a JSON value matching the schema. */
export function jsonSchemaGrammar(schema: JsonSchema): string {
  const { rootRule, rules } = jsonSchemaRules(schema, "");
  return `root ::= ${rootRule}\n${rules}\n`;
}
