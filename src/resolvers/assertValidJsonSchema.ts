// Rejects JSON schemas that are not schemas at all, or that inferql's grammar compiler cannot
// enforce exactly, naming the field (and keyword) they came from.
import { Ajv, type AnySchemaObject, type ErrorObject } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { InvalidInputError } from "../errors.js";
import { jsonSchemaRules, UnsupportedJsonSchemaError } from "../inference/grammar/index.js";
import type { JsonSchema } from "../inference/types.js";

const options = { strict: false } as const;
const DRAFT_07 = "http://json-schema.org/draft-07/schema";
const DRAFT_04 = "http://json-schema.org/draft-04/schema";
const DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema";
const DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema";

const draft07Ajv = new Ajv(options);
// Where draft-04 differs from draft-07 in what a schema may say: exclusiveMinimum / exclusiveMaximum
// are booleans next to minimum / maximum. (id vs $id, and the keywords draft-07 added, validate alike.)
const draft07 = draft07Ajv.getSchema(DRAFT_07)!.schema as AnySchemaObject;
draft07Ajv.addMetaSchema({
  ...draft07,
  $id: `${DRAFT_04}#`,
  properties: {
    ...draft07.properties,
    exclusiveMinimum: { type: ["boolean", "number"] },
    exclusiveMaximum: { type: ["boolean", "number"] },
  },
});

/** A meta-schema check: the errors, or undefined when the schema is valid. */
type MetaCheck = (schema: unknown) => ErrorObject[] | undefined;

function metaCheck(ajv: Ajv, metaSchemaId: string): MetaCheck {
  return (schema) => (ajv.validate(metaSchemaId, schema) ? undefined : (ajv.errors ?? []));
}

/** Dialects by `$schema` URI (scheme and trailing '#' aside). Draft-06 schemas validate as draft-07. */
const DIALECTS: ReadonlyArray<[RegExp, MetaCheck]> = [
  [/^json-schema\.org\/draft\/2020-12\/schema$/, metaCheck(new Ajv2020(options), DRAFT_2020)],
  [/^json-schema\.org\/draft\/2019-09\/schema$/, metaCheck(new Ajv2019(options), DRAFT_2019)],
  [/^json-schema\.org\/draft-04\/schema$/, metaCheck(draft07Ajv, `${DRAFT_04}#`)],
];
/** No, or another, `$schema`: checked as draft-07, the dialect the OpenAI API documents. */
const DEFAULT_DIALECT = metaCheck(draft07Ajv, `${DRAFT_07}#`);

function metaCheckFor(schema: JsonSchema): MetaCheck {
  if (typeof schema.$schema !== "string") return DEFAULT_DIALECT;
  const uri = schema.$schema.replace(/^https?:\/\//, "").replace(/#$/, "");
  return DIALECTS.find(([pattern]) => pattern.test(uri))?.[1] ?? DEFAULT_DIALECT;
}

export function assertValidJsonSchema(schema: unknown, field: string): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw new InvalidInputError(field, "Invalid JSON schema: a schema must be a JSON object");
  let problem: { instancePath?: string; message?: string } | undefined;
  try {
    const errors = metaCheckFor(schema as JsonSchema)(schema);
    if (errors === undefined) return;
    problem = errors[0] ?? {};
  } catch (error) {
    problem = { message: error instanceof Error ? error.message : String(error) };
  }
  const where = problem.instancePath ? ` at ${problem.instancePath}` : "";
  throw new InvalidInputError(
    field,
    `Invalid JSON schema${where}: ${problem.message ?? "not a JSON schema"}`,
  );
}

/** Throws InvalidInputError naming the keyword (`${field}.${path}`) when the grammar compiler refuses the schema. */
export function assertGrammarSupportsSchema(schema: JsonSchema, field: string): void {
  try {
    jsonSchemaRules(schema, "");
  } catch (error) {
    throw error instanceof UnsupportedJsonSchemaError ? unsupportedSchemaInput(error, field) : error;
  }
}

/** The InvalidInputError a refused schema becomes: its field names the refused keyword. */
function unsupportedSchemaInput(error: UnsupportedJsonSchemaError, field: string): InvalidInputError {
  return new InvalidInputError(error.path ? `${field}.${error.path}` : field, error.message);
}
