// Checks a request body against its protocol schema; the first problem is a 400 naming the parameter.
// Rare fields (rareFields.ts) are checked only when the body sends one of them.
import type { z } from "zod";
import { OpenAiError } from "../errors/openAiError.js";
import { toWireParam } from "../errors/wireParam.js";
import { type RareFields, sendsAny } from "./rareFields.js";

export function parseRequest<Schema extends z.ZodType, Rare extends z.ZodRawShape = Record<never, never>>(
  schema: Schema,
  body: unknown,
  rare?: RareFields<Rare>,
): z.output<Schema> & Partial<z.output<z.ZodObject<Rare>>> {
  const request = check(schema, body) as z.output<Schema> & Partial<z.output<z.ZodObject<Rare>>>;
  if (rare && sendsAny(body, rare)) Object.assign(request as object, check(rare.schema, body));
  return request;
}

function check<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.length ? toWireParam(issue.path) : null;
  throw OpenAiError.invalidRequest(param, param ? `Invalid '${param}': ${issue.message}` : issue.message);
}
