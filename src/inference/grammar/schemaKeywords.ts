// What the compiler knows about JSON Schema keywords: which it refuses, which only annotate.
import type { JsonSchema } from "../types.js";

/** Keywords that constrain values in ways the grammar does not enforce: a schema using them is refused. */
export const REFUSED_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ["not", "'not' is not supported"],
  ["if", "if/then/else is not supported"],
  ["then", "if/then/else is not supported"],
  ["else", "if/then/else is not supported"],
  ["patternProperties", "patternProperties is not supported"],
  ["propertyNames", "propertyNames is not supported"],
  ["dependentSchemas", "dependentSchemas is not supported"],
  ["dependentRequired", "dependentRequired is not supported"],
  ["dependencies", "dependencies is not supported"],
  ["contains", "contains is not supported"],
  ["minContains", "minContains is not supported"],
  ["maxContains", "maxContains is not supported"],
  ["unevaluatedProperties", "unevaluatedProperties is not supported"],
  ["unevaluatedItems", "unevaluatedItems is not supported"],
  ["multipleOf", "multipleOf is not supported"],
  ["maxProperties", "maxProperties is not supported"],
  ["$dynamicRef", "$dynamicRef is not supported"],
  ["$recursiveRef", "$recursiveRef is not supported"],
]);

/** Keywords that never constrain a value (annotations, identifiers, definitions). */
const NON_VALIDATING = new Set([
  "$schema",
  "$id",
  "id",
  "$anchor",
  "$dynamicAnchor",
  "$recursiveAnchor",
  "$comment",
  "$defs",
  "definitions",
  "title",
  "description",
  "default",
  "examples",
  "example",
  "readOnly",
  "writeOnly",
  "deprecated",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
]);

/** The keys of `schema` that may constrain a value (anything but annotations and definitions). */
export function validatingKeys(schema: JsonSchema): string[] {
  return Object.keys(schema).filter((key) => !NON_VALIDATING.has(key));
}

export function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const JSON_TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/** Keywords that imply a type when a schema has no `type`: `{ properties }` is meant as an object. */
const TYPE_HINTS: ReadonlyArray<[JsonType, readonly string[]]> = [
  ["object", ["properties", "required", "additionalProperties", "minProperties"]],
  ["array", ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"]],
  ["string", ["minLength", "maxLength", "format", "pattern"]],
  ["number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]],
];

/**
 * The types a schema without `type` is compiled as: those its keywords hint at, or undefined
 * (any JSON value). Hinted types are a subset of what the schema accepts, never more.
 */
export function hintedTypes(schema: JsonSchema): JsonType[] | undefined {
  const hinted = TYPE_HINTS.filter(([, keywords]) => keywords.some((keyword) => keyword in schema));
  return hinted.length ? hinted.map(([type]) => type) : undefined;
}
