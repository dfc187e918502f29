// Rolls the typed client's declarations (dist/client/index.d.ts, which tsc emits with imports of the
// server's modules) into one self-contained file: the router's shape is copied in, so a project that
// imports `inferql/client` reads only this file and @trpc's own types, never the server's
// (node-llama-cpp, zod, pino). Part of `npm run build`; fails if anything else would be imported.
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const entry = "dist/client/index.d.ts";
/** Packages the bundled declarations may import: the client's own runtime dependencies. */
const allowedImport = /^@trpc\/(client|server)(\/|$)/;

const bundle = await rollup({
  input: entry,
  // Packages stay imports (rollup drops the ones nothing uses); inferql's own declarations are inlined.
  external: (id) => !id.startsWith(".") && !id.startsWith("/"),
  plugins: [dts()],
});
const { output } = await bundle.generate({ format: "es" });
await bundle.close();
const imported = [...output[0].code.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
const stray = imported.filter((specifier) => !allowedImport.test(specifier));
if (stray.length > 0) {
  console.error(`inferql/client's declarations would import ${stray.join(", ")}: only @trpc may be`);
  process.exit(1);
}
const { writeFile } = await import("node:fs/promises");
await writeFile(entry, output[0].code);
