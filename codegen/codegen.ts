// graphql-codegen (client preset): typed documents for the operations in codegen/operations,
// generated from the committed schema/schema.graphql. Run with `npm run codegen`.
import type { CodegenConfig } from "@graphql-codegen/cli";

export const codegenConfig: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["codegen/operations/*.graphql"],
  ignoreNoDocuments: false,
  // NodeNext: relative imports in the generated files carry `.js` (the successor of the
  // client preset's `emitLegacyCommonJSImports: false`).
  importExtension: ".js",
  generates: {
    "codegen/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: "string", JSON: "unknown" },
        avoidOptionals: false,
      },
    },
  },
};

export default codegenConfig;
