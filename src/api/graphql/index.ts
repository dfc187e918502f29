// The GraphQL transport: its HTTP mount, and the schema for tooling (SDL printing, codegen).
export { createGraphqlMount } from "./mount.js";
export { printSchemaSdl } from "./printSchema.js";
export { schema } from "./schema.js";
