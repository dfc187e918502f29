// Validates operation input against its zod schema, turning the first problem into an
// InvalidInputError that names the offending field.
import type { z } from "zod";
import { InvalidInputError } from "../errors.js";

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join(".") : undefined;
  throw new InvalidInputError(field, field ? `Invalid '${field}': ${issue.message}` : issue.message);
}
