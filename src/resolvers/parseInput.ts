// Validates operation input against its zod schema, turning the first problem into an
// InvalidInputError that names the offending field. Input objects are strict: an unknown field
// (a typo such as `maxTokenz`) is an error naming it, never silently ignored.
import type { z } from "zod";
import { InvalidInputError } from "../errors.js";

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(withoutUndefinedFields(input));
  if (result.success) return result.data;
  throw invalidInputFromIssue(result.error.issues[0]);
}

/** The parts of a schema issue (zod's, or any Standard Schema's) that name the problem. */
export interface InputIssue {
  code?: string;
  message: string;
  path?: readonly PropertyKey[];
  keys?: readonly string[];
}

/** One schema issue as the InvalidInputError the resolvers raise; an unknown field is named by its own path. */
export function invalidInputFromIssue(issue: InputIssue): InvalidInputError {
  const path = issue.path ?? [];
  if (issue.code === "unrecognized_keys" && issue.keys?.length) {
    const field = [...path, issue.keys[0]].map(String).join(".");
    return new InvalidInputError(field, `Unknown field '${field}'`);
  }
  const field = path.length ? path.map(String).join(".") : undefined;
  return new InvalidInputError(field, field ? `Invalid '${field}': ${issue.message}` : issue.message);
}

/**
 * A field set to undefined is an absent field (as in JSON): translations (GraphQL's) may build
 * objects with every optional key, and a strict schema would otherwise count those as unknown.
 */
function withoutUndefinedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefinedFields);
  if (!isPlainObject(value)) return value;
  // fromEntries defines own properties: a "__proto__" key stays a key (and is refused as unknown).
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([key, field]) => [key, withoutUndefinedFields(field)]),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
