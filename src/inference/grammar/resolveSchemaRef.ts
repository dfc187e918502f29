// Local `$ref`s: JSON pointers into the root schema ("#", "#/$defs/x", "#/definitions/x", ...).
import type { JsonSchema } from "../types.js";
import { UnsupportedJsonSchemaError } from "./unsupportedJsonSchemaError.js";

export interface ResolvedRef {
  /** The referenced schema (an object or a boolean). */
  target: unknown;
  /** Its path in the root schema, dot-separated like error paths ("$defs.node"). */
  path: string;
}

export function resolveSchemaRef(root: JsonSchema, ref: unknown, refPath: string): ResolvedRef {
  if (typeof ref !== "string" || !(ref === "#" || ref.startsWith("#/")))
    throw new UnsupportedJsonSchemaError(
      refPath,
      `Only local $refs into the schema are supported ("#/$defs/name"), not ${JSON.stringify(ref)}`,
    );
  let segments: string[];
  try {
    segments = ref === "#" ? [] : ref.slice(2).split("/").map(decodePointerSegment);
  } catch {
    throw new UnsupportedJsonSchemaError(
      refPath,
      `The $ref ${JSON.stringify(ref)} is not a valid JSON pointer`,
    );
  }
  let target: unknown = root;
  for (const segment of segments) {
    if (typeof target !== "object" || target === null || !Object.hasOwn(target, segment))
      throw new UnsupportedJsonSchemaError(refPath, `The $ref ${JSON.stringify(ref)} points at nothing`);
    target = (target as Record<string, unknown>)[segment];
  }
  return { target, path: segments.join(".") };
}

function decodePointerSegment(segment: string): string {
  return decodeURIComponent(segment).replaceAll("~1", "/").replaceAll("~0", "~");
}
