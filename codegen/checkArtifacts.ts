// `npm run codegen:check`: fails when schema/schema.graphql or codegen/generated/ differ from what
// the current Pothos schema and codegen/operations would generate (run `npm run codegen` to update).
// Generates in memory; writes nothing.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { printSchemaSdl } from "../src/api/graphql/printSchema.js";
import { codegenConfig } from "./codegen.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const generatedDir = "codegen/generated";
process.chdir(root);

const drifted: string[] = [];
const readIfExists = (file: string) => readFile(file, "utf8").catch(() => undefined);

const sdl = printSchemaSdl();
if ((await readIfExists("schema/schema.graphql")) !== sdl) drifted.push("schema/schema.graphql");

// Generate from the current schema (not the committed SDL), so a stale SDL cannot hide stale documents.
const outputs: { filename: string; content: string }[] = await generate(
  { ...codegenConfig, schema: sdl, silent: true },
  false,
);
const expected = new Map(outputs.map((output) => [path.normalize(output.filename), output.content]));
for (const [file, content] of expected) if ((await readIfExists(file)) !== content) drifted.push(file);
const onDisk = await readdir(generatedDir).catch(() => []);
for (const name of onDisk) {
  const file = path.normalize(path.join(generatedDir, name));
  if (!expected.has(file)) drifted.push(`${file} (no longer generated)`);
}

if (drifted.length > 0) {
  console.error(
    `GraphQL artefacts are out of date; run \`npm run codegen\` and commit:\n  ${drifted.join("\n  ")}`,
  );
  process.exit(1);
}
console.log("schema/schema.graphql and codegen/generated/ are up to date");
