// Writes the GraphQL schema's SDL to schema/schema.graphql (step one of `npm run codegen`).
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { printSchemaSdl } from "../src/api/graphql/printSchema.js";

const schemaFile = fileURLToPath(new URL("../schema/schema.graphql", import.meta.url));

await mkdir(fileURLToPath(new URL("../schema/", import.meta.url)), { recursive: true });
await writeFile(schemaFile, printSchemaSdl());
console.log(`wrote ${schemaFile}`);
