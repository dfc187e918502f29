// Bundles the compiled server (dist/main.js, as tsc writes it) into dist/server/: the entry point,
// with the modules loaded at start-up in a few chunks and those imported on demand (GraphiQL's ~9 MB
// page, the Redis client) in chunks of their own, still loaded only when first needed. A start then
// opens ~620 JavaScript and JSON files instead of ~1,860 (module resolution and file reads were a
// third of a start's CPU); what is left is node-llama-cpp's, which stays a package: it finds its
// native binaries next to its own files. lifecycle-utils stays a package too: the engine's decoder
// takes node-llama-cpp's context lock, which lives in that module (src/inference/engine/contextDecoder.ts),
// so both must load the one copy. Part of `npm run build`; bin/inferql.cjs runs dist/server/main.js.
import { rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = "dist/server";
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: "dist/main.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["node-llama-cpp", "lifecycle-utils"],
  // The CommonJS packages inside call require() for Node's built-ins; an ES module has none.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
