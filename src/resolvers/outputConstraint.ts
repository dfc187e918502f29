// Chooses the grammar that constrains output from the request's grammar / response format fields.
import { InvalidInputError } from "../errors.js";
import type { OutputConstraint } from "../inference/types.js";
import { assertGrammarSupportsSchema, assertValidJsonSchema } from "./assertValidJsonSchema.js";

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; jsonSchema: { schema: Record<string, unknown> } };

export function chooseOutputConstraint(
  grammar: string | undefined,
  responseFormat: ResponseFormat | undefined,
  schemaField = "responseFormat.jsonSchema.schema",
): OutputConstraint | undefined {
  const format = responseFormat?.type ?? "text";
  if (grammar !== undefined && format !== "text")
    throw new InvalidInputError("grammar", "Use either a grammar or a JSON response format, not both");
  if (grammar !== undefined) return { kind: "gbnf", grammar, field: "grammar" };
  if (responseFormat?.type === "json_object") return { kind: "anyJson", field: "responseFormat" };
  if (responseFormat?.type === "json_schema") {
    assertValidJsonSchema(responseFormat.jsonSchema.schema, schemaField);
    assertGrammarSupportsSchema(responseFormat.jsonSchema.schema, schemaField);
    return { kind: "jsonSchema", schema: responseFormat.jsonSchema.schema, field: schemaField };
  }
  return undefined;
}
