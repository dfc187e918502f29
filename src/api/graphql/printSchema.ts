// The schema's SDL as committed in schema/schema.graphql: sorted, so diffs show real changes only.
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./schema.js";

export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
