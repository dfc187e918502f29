// Custom scalars: DateTime for instants, JSON only where the shape is truly free-form (JSON schemas).
import { GraphQLError, Kind, valueFromASTUntyped } from "graphql";
import { builder } from "./builder.js";

export const JsonScalar = builder.scalarType("JSON", {
  description:
    "Any JSON value. Used only where the shape is free-form, such as a tool's parameter schema or a JSON schema.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

export const DateTimeScalar = builder.scalarType("DateTime", {
  description: "An instant, as an ISO-8601 string in UTC, e.g. 2026-01-31T12:00:00.000Z.",
  serialize: (value) => value.toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTime must be an ISO-8601 string");
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError("DateTime must be an ISO-8601 string");
  return date;
}
