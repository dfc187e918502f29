// Vite for the web playground: `npm run build:web` writes dist/web (served at "/" by
// src/api/playground), `npm run dev:web` serves web/ with hot reload and proxies the API to the
// server started by `npm run dev`.
import { defineConfig } from "vite";

/** Where the dev server sends API traffic; the default is `npm run dev`'s address. */
const apiUrl = process.env.INFERQL_API_URL ?? "http://127.0.0.1:8080";
const apiProxy = {
  "/graphql": { target: apiUrl, ws: true },
  "/health": { target: apiUrl },
};

export default defineConfig({
  // JSX compiles to Preact's automatic runtime (no Babel, no React).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    host: "127.0.0.1",
    // The typed documents live in ../codegen/generated.
    fs: { allow: [".."] },
    proxy: apiProxy,
  },
  preview: { host: "127.0.0.1", proxy: apiProxy },
});
