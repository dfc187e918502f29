// Chooses the grammar that constrains output from the request's constraint fields: a GBNF grammar, a
// JSON response format or schema, a regular expression, or a list of choices (at most one of them).
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { choiceGrammar, regexGrammar, UnsupportedRegexError } from "../inference/grammar/index.js";
import type { OutputConstraint } from "../inference/types.js";
import { assertGrammarSupportsSchema, assertValidJsonSchema } from "./assertValidJsonSchema.js";

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; jsonSchema: { schema: Record<string, unknown> } };

/** The constraint fields every generating operation takes besides its JSON one. */
export const textConstraintFields = {
  grammar: z.string().min(1).optional().describe("A GBNF grammar the output must follow"),
  regex: z
    .string()
    .min(1)
    .optional()
    .describe("A regular expression the whole output must match (vLLM's structured outputs `regex`)"),
  choice: z
    .array(z.string().min(1))
    .min(1)
    .max(256)
    .optional()
    .describe("The output is exactly one of these strings (vLLM's structured outputs `choice`)"),
};

interface ConstraintFields {
  grammar?: string;
  regex?: string;
  choice?: readonly string[];
  responseFormat?: ResponseFormat;
}

export function chooseOutputConstraint(
  { grammar, regex, choice, responseFormat }: ConstraintFields,
  formatField = "responseFormat",
  schemaField = "responseFormat.jsonSchema.schema",
): OutputConstraint | undefined {
  const given = [
    ...(grammar !== undefined ? ["grammar"] : []),
    ...(regex !== undefined ? ["regex"] : []),
    ...(choice !== undefined ? ["choice"] : []),
    ...(responseFormat !== undefined && responseFormat.type !== "text" ? [formatField] : []),
  ];
  if (given.length > 1)
    throw new InvalidInputError(
      given[1],
      `Use one of ${given.join(", ")} to constrain the output, not several`,
    );
  if (grammar !== undefined) return { kind: "gbnf", grammar, field: "grammar" };
  if (regex !== undefined) return { kind: "gbnf", grammar: compileRegex(regex), field: "regex" };
  if (choice !== undefined) return { kind: "gbnf", grammar: choiceGrammar(choice), field: "choice" };
  if (responseFormat?.type === "json_object") return { kind: "anyJson", field: formatField };
  if (responseFormat?.type === "json_schema") {
    assertValidJsonSchema(responseFormat.jsonSchema.schema, schemaField);
    assertGrammarSupportsSchema(responseFormat.jsonSchema.schema, schemaField);
    return { kind: "jsonSchema", schema: responseFormat.jsonSchema.schema, field: schemaField };
  }
  return undefined;
}

function compileRegex(pattern: string): string {
  try {
    return regexGrammar(pattern);
  } catch (error) {
    if (error instanceof UnsupportedRegexError) throw new InvalidInputError("regex", error.message);
    throw error;
  }
}
