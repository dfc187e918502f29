// Checks a request body against its protocol schema; the first problem is a 400 naming the parameter.
import type { z } from "zod";
import { OpenAiError } from "../errors/openAiError.js";
import { toWireParam } from "../errors/wireParam.js";

export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.length ? toWireParam(issue.path) : null;
  throw OpenAiError.invalidRequest(param, param ? `Invalid '${param}': ${issue.message}` : issue.message);
}
