// allOf of object schemas, merged into one object schema (the only allOf the compiler supports).
import type { JsonSchema } from "../types.js";
import { resolveSchemaRef } from "./resolveSchemaRef.js";
import { isSchemaObject, validatingKeys } from "./schemaKeywords.js";
import { schemaPath, UnsupportedJsonSchemaError } from "./unsupportedJsonSchemaError.js";

const MERGEABLE_KEYS = new Set(["type", "properties", "required", "additionalProperties"]);
/** How many $refs in a row a part may follow before it is taken for a loop. */
const MAX_REF_HOPS = 32;

interface Part {
  schema: JsonSchema;
  path: string;
}

function resolvePart(root: JsonSchema, part: unknown, path: string): Part | undefined {
  let current: unknown = part;
  let currentPath = path;
  for (let hops = 0; hops <= MAX_REF_HOPS; hops++) {
    if (current === true) return undefined;
    if (!isSchemaObject(current))
      throw new UnsupportedJsonSchemaError(currentPath, "An allOf part must be an object schema");
    if (!("$ref" in current)) return { schema: current, path: currentPath };
    ({ target: current, path: currentPath } = resolveSchemaRef(
      root,
      current.$ref,
      schemaPath(currentPath, "$ref"),
    ));
  }
  throw new UnsupportedJsonSchemaError(path, "The $refs of this allOf part loop");
}

function checkMergeable({ schema, path }: Part): void {
  for (const key of validatingKeys(schema)) {
    const value = schema[key];
    const supported =
      MERGEABLE_KEYS.has(key) &&
      (key !== "type" || value === "object") &&
      (key !== "additionalProperties" || value === false) &&
      (key !== "properties" || isSchemaObject(value)) &&
      (key !== "required" || (Array.isArray(value) && value.every((name) => typeof name === "string")));
    if (!supported)
      throw new UnsupportedJsonSchemaError(
        schemaPath(path, key),
        `allOf is supported only to merge object schemas (type "object", properties, required, ` +
          `additionalProperties: false); '${key}' is not mergeable here`,
      );
  }
}

/** The one object schema that `schema`'s allOf parts (and its own object keywords) describe together. */
export function mergeAllOf(root: JsonSchema, schema: JsonSchema, path: string): JsonSchema {
  const allOfPath = schemaPath(path, "allOf");
  if (!Array.isArray(schema.allOf) || schema.allOf.length === 0)
    throw new UnsupportedJsonSchemaError(allOfPath, "allOf must be a non-empty array");
  const { allOf, ...own } = schema;
  const parts = allOf
    .map((part, index) => resolvePart(root, part, schemaPath(allOfPath, index)))
    .filter((part): part is Part => part !== undefined);
  if (validatingKeys(own).length) parts.unshift({ schema: own, path });
  parts.forEach(checkMergeable);

  const properties: JsonSchema = {};
  const required = new Set<string>();
  for (const part of parts) {
    for (const [name, property] of Object.entries((part.schema.properties ?? {}) as JsonSchema)) {
      if (name in properties && JSON.stringify(properties[name]) !== JSON.stringify(property))
        throw new UnsupportedJsonSchemaError(
          schemaPath(schemaPath(part.path, "properties"), name),
          `allOf parts define the property '${name}' differently`,
        );
      properties[name] = property;
    }
    for (const name of (part.schema.required ?? []) as string[]) required.add(name);
  }
  const closed = parts.filter((part) => part.schema.additionalProperties === false);
  for (const part of closed) {
    const own = (part.schema.properties ?? {}) as JsonSchema;
    const foreign = [...Object.keys(properties), ...required].find((name) => !(name in own));
    if (foreign !== undefined)
      throw new UnsupportedJsonSchemaError(
        schemaPath(part.path, "additionalProperties"),
        `An allOf part forbids additional properties, so '${foreign}' from another part could never be valid`,
      );
  }
  return {
    type: "object",
    properties,
    required: [...required],
    ...(closed.length ? { additionalProperties: false } : {}),
  };
}
