// Rejects JSON schemas that are not schemas at all (the grammar compiler would silently turn
// them into something else), naming the field they came from.
import { Ajv } from "ajv";
import { InvalidInputError } from "../errors.js";

const ajv = new Ajv({ strict: false, validateSchema: true });

export function assertValidJsonSchema(schema: unknown, field: string): void {
  if (ajv.validateSchema(schema as object) === true) return;
  const problem = ajv.errors?.[0];
  const where = problem?.instancePath ? ` at ${problem.instancePath}` : "";
  throw new InvalidInputError(
    field,
    `Invalid JSON schema${where}: ${problem?.message ?? "not a JSON schema"}`,
  );
}
