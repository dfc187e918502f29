// Bundles the compiled server (dist/main.js, as tsc writes it) into dist/server/: the entry point,
// with the modules loaded at start-up in a few chunks and those imported on demand (GraphiQL's ~9 MB
// page, the Redis client) in chunks of their own, still loaded only when first needed. A start then
// opens a few dozen JavaScript files instead of ~1,860 (module resolution, file reads and compiling
// each file were most of a start's CPU: importing node-llama-cpp alone, ~540 files, took 0.5 s of
// the 1.55 s from `inferql serve` to ready with the tiny model, and 0.7 s of CPU).
//
// node-llama-cpp is bundled too, but finds its native binaries, llama.cpp build folders and
// package.json next to its own files (import.meta.url). Its modules that ask for their own URL get the
// one they have in the installed package instead (nodeLlamaCppFileUrls below), so those paths stay
// what they are unbundled, wherever npm put the package. Kept as packages: its prebuilt binaries
// (@node-llama-cpp/*, one per platform and GPU, imported by name), what it imports only from its CLI
// (typescript, electron), @reflink/reflink, which loads a native addon of its own, and
// lifecycle-utils: the engine's decoder takes node-llama-cpp's context lock, which lives in that
// module (src/inference/engine/contextDecoder.ts), and the server tells node-llama-cpp's
// DisposedError by its class (src/cli/unhandledRejection.ts), so the server, node-llama-cpp and
// anything preloaded beside them (the tests' fixtures) must share the one installed copy.
// Part of `npm run build`; bin/inferql.cjs runs dist/server/main.js.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const outdir = "dist/server";
const nodeLlamaCppRoot = fileURLToPath(new URL("../", import.meta.resolve("node-llama-cpp")));

/** Rewrites `import.meta.url` in node-llama-cpp's modules to their URL in the installed package. */
const nodeLlamaCppFileUrls = {
  name: "node-llama-cpp-file-urls",
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]node_modules[\\/]node-llama-cpp[\\/]dist[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const file = path.relative(nodeLlamaCppRoot, args.path).split(path.sep).join("/");
      return {
        contents: source.replaceAll("import.meta.url", `__nodeLlamaCppFileUrl(${JSON.stringify(file)})`),
        loader: "js",
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: "dist/main.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@node-llama-cpp/*", "lifecycle-utils", "typescript", "electron", "@reflink/reflink"],
  plugins: [nodeLlamaCppFileUrls],
  banner: {
    js: [
      // The CommonJS packages inside call require() for Node's built-ins; an ES module has none.
      'import { createRequire as __createRequire } from "node:module";',
      "const require = __createRequire(import.meta.url);",
      // node-llama-cpp's package folder is found as Node finds the package: from this file.
      'const __nodeLlamaCppFileUrl = (file) => new URL(file, new URL("../", import.meta.resolve("node-llama-cpp"))).href;',
    ].join("\n"),
  },
  logLevel: "warning",
});
