// vLLM's structured outputs on the OpenAI endpoints, as vLLM's users send them in `extra_body`:
// `structured_outputs: {json | regex | choice | grammar | json_object}` (vLLM 0.10.2 on) and the
// older `guided_json`, `guided_regex`, `guided_choice`, `guided_grammar`. Unknown fields are dropped
// by the wire schemas, so without these a vLLM client's constraint would be silently ignored. They
// are rare fields (rareFields.ts): checked only when a request sends one.
import { z } from "zod";
import { OpenAiError } from "../errors/openAiError.js";
import { notSupported, optional } from "./protocol.js";

/** A JSON schema as an object, or as the JSON text of one (vLLM takes both). */
const jsonSchemaValue = z.union([z.record(z.string(), z.unknown()), z.string()]);

export const structuredOutputFields = {
  structured_outputs: optional(
    z.object({
      json: optional(jsonSchemaValue),
      regex: optional(z.string()),
      choice: optional(z.array(z.string())),
      grammar: optional(z.string()),
      json_object: optional(z.boolean()),
      structural_tag: notSupported("structured_outputs.structural_tag is not supported"),
    }),
  ),
  guided_json: optional(jsonSchemaValue),
  guided_regex: optional(z.string()),
  guided_choice: optional(z.array(z.string())),
  guided_grammar: optional(z.string()),
  /** inferql has one backend (llama.cpp's grammars): the choice is accepted and has nothing to pick. */
  guided_decoding_backend: optional(z.string()),
  guided_whitespace_pattern: notSupported("guided_whitespace_pattern is not supported"),
};

type StructuredOutputRequest = Partial<z.output<z.ZodObject<typeof structuredOutputFields>>>;

/** The one constraint a request's structured output fields ask for, with the field that asked. */
export type StructuredOutput =
  | { kind: "json"; schema: Record<string, unknown>; param: string }
  | { kind: "jsonObject"; param: string }
  | { kind: "regex"; pattern: string; param: string }
  | { kind: "choice"; choices: string[]; param: string }
  | { kind: "grammar"; grammar: string; param: string };

/**
 * `endpointConstraints`: the wire names of the endpoint's own constraint fields that the request set
 * (`response_format`, `grammar`, `json_schema`); one constraint in all may be set.
 */
export function toStructuredOutput(
  request: StructuredOutputRequest,
  endpointConstraints: readonly string[],
): StructuredOutput | undefined {
  // The common request (none of these fields): nothing to build.
  if (
    request.structured_outputs === undefined &&
    request.guided_json === undefined &&
    request.guided_regex === undefined &&
    request.guided_choice === undefined &&
    request.guided_grammar === undefined
  )
    return undefined;
  const given = [...fromStructuredOutputs(request.structured_outputs), ...fromGuidedFields(request)];
  const params = [...endpointConstraints, ...given.map((output) => output.param)];
  if (given.length > 0 && params.length > 1)
    throw OpenAiError.invalidRequest(
      params[1],
      `Invalid '${params[1]}': only one output constraint may be set (also given: '${params[0]}')`,
    );
  return given[0];
}

interface OutputFields {
  json?: Record<string, unknown> | string;
  regex?: string;
  choice?: string[];
  grammar?: string;
  json_object?: boolean;
}

function fromStructuredOutputs(fields: StructuredOutputRequest["structured_outputs"]): StructuredOutput[] {
  return fields ? outputsOf(fields, (key) => `structured_outputs.${key}`) : [];
}

function fromGuidedFields(request: StructuredOutputRequest): StructuredOutput[] {
  const { guided_json: json, guided_regex: regex, guided_choice: choice, guided_grammar: grammar } = request;
  return outputsOf({ json, regex, choice, grammar }, (key) => `guided_${key}`);
}

/** The constraints `fields` set, each named by `paramOf` its key. */
function outputsOf(fields: OutputFields, paramOf: (key: keyof OutputFields) => string): StructuredOutput[] {
  const outputs: StructuredOutput[] = [];
  if (fields.json !== undefined) outputs.push(json(fields.json, paramOf("json")));
  if (fields.json_object) outputs.push({ kind: "jsonObject", param: paramOf("json_object") });
  if (fields.regex !== undefined)
    outputs.push({ kind: "regex", pattern: fields.regex, param: paramOf("regex") });
  if (fields.choice !== undefined)
    outputs.push({ kind: "choice", choices: fields.choice, param: paramOf("choice") });
  if (fields.grammar !== undefined)
    outputs.push({ kind: "grammar", grammar: fields.grammar, param: paramOf("grammar") });
  return outputs;
}

function json(value: Record<string, unknown> | string, param: string): StructuredOutput {
  if (typeof value !== "string") return { kind: "json", schema: value, param };
  try {
    const schema: unknown = JSON.parse(value);
    if (typeof schema === "object" && schema !== null && !Array.isArray(schema))
      return { kind: "json", schema: schema as Record<string, unknown>, param };
  } catch {
    // Answered below.
  }
  throw OpenAiError.invalidRequest(
    param,
    `Invalid '${param}': expected a JSON schema object or its JSON text`,
  );
}

/**
 * The resolver fields a structured output sets besides the JSON one, which each endpoint names its
 * own way (chat's responseFormat, completion's jsonSchema).
 */
export function toTextConstraint(output: StructuredOutput | undefined): {
  regex?: string;
  choice?: string[];
  grammar?: string;
} {
  if (output?.kind === "regex") return { regex: output.pattern };
  if (output?.kind === "choice") return { choice: output.choices };
  if (output?.kind === "grammar") return { grammar: output.grammar };
  return {};
}

/**
 * Wire names of the resolver field a structured output filled, for the errors the resolver raises;
 * `jsonPath` is where the endpoint's resolver takes a JSON schema.
 */
export function structuredOutputRenames(
  output: StructuredOutput | undefined,
  jsonPath: string,
): Record<string, string> {
  if (output === undefined) return {};
  const field = output.kind === "json" || output.kind === "jsonObject" ? jsonPath : output.kind;
  return { [field]: output.param };
}
