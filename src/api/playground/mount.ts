// The web playground on the shared HTTP server: serves the Vite build in dist/web ("/" is its
// index.html, /assets/* its content-hashed files), or a page saying how to build it.
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { PACKAGE_ROOT } from "../../packageRoot.js";
import type { HttpMount } from "../httpMount.js";
import { PLAYGROUND_NOT_BUILT_HTML } from "./notBuiltPage.js";
import { contentTypeOf, resolveInside, type StaticFile, statFile } from "./staticFiles.js";

/** `<package root>/dist/web`, where `npm run build:web` writes. */
export const DEFAULT_PLAYGROUND_DIR = path.join(PACKAGE_ROOT, "dist", "web");

export interface PlaygroundMountOptions {
  /** The built playground; default dist/web. */
  root?: string;
}

const ASSETS_PREFIX = "/assets/";
/** Files the build puts beside index.html (from web/public). */
const TOP_LEVEL_FILES = new Set(["/favicon.svg"]);

/** The page loads only its own scripts and styles and talks only to this server (graphql-ws). */
const PAGE_SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/** Hashed names change with their content, so browsers may keep them for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";

export function createPlaygroundMount(logger: Logger, options: PlaygroundMountOptions = {}): HttpMount {
  const root = options.root ?? DEFAULT_PLAYGROUND_DIR;
  const log = logger.child({ transport: "playground" });
  let warnedNotBuilt = false;

  const sendJson = (response: ServerResponse, status: number, message: string, code: string) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { message, code } }));
  };

  const sendFile = async (
    request: IncomingMessage,
    response: ServerResponse,
    file: StaticFile,
    headers: Record<string, string>,
  ) => {
    const common = { etag: file.etag, ...headers };
    if (request.headers["if-none-match"] === file.etag) {
      response.writeHead(304, common);
      response.end();
      return;
    }
    response.writeHead(200, {
      ...common,
      "content-type": contentTypeOf(file.filePath),
      "content-length": String(file.size),
    });
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    await pipeline(createReadStream(file.filePath), response).catch((error: unknown) => {
      // A client that goes away mid-file is not an error of ours.
      if (!response.destroyed) throw error;
    });
  };

  return {
    name: "playground",
    matches: (pathname) =>
      pathname === "/" ||
      pathname === "/index.html" ||
      TOP_LEVEL_FILES.has(pathname) ||
      pathname.startsWith(ASSETS_PREFIX),
    routeOf: (pathname) => (pathname.startsWith(ASSETS_PREFIX) ? "/assets/*" : pathname),
    async handle(request, response) {
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.setHeader("allow", "GET, HEAD");
        sendJson(response, 405, `${request.method} is not allowed here; use GET`, "METHOD_NOT_ALLOWED");
        return;
      }
      const pathname = new URL(request.url ?? "/", "http://localhost").pathname;

      if (pathname === "/" || pathname === "/index.html") {
        const index = await statFile(path.join(root, "index.html"));
        if (index) {
          await sendFile(request, response, index, { "cache-control": "no-cache", ...PAGE_SECURITY_HEADERS });
          return;
        }
        if (!warnedNotBuilt) {
          warnedNotBuilt = true;
          log.warn({ root }, "the web playground is not built: run `npm run build:web`");
        }
        response.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        });
        response.end(request.method === "HEAD" ? undefined : PLAYGROUND_NOT_BUILT_HTML);
        return;
      }

      const filePath = resolveInside(root, pathname);
      const file = filePath ? await statFile(filePath) : undefined;
      if (!file) {
        sendJson(response, 404, `No playground file at ${pathname}`, "NOT_FOUND");
        return;
      }
      const cacheControl = pathname.startsWith(ASSETS_PREFIX) ? IMMUTABLE : "public, max-age=3600";
      await sendFile(request, response, file, {
        "cache-control": cacheControl,
        "x-content-type-options": "nosniff",
      });
    },
  };
}
