// The playground mount serves the built page and its assets from one folder and nothing outside it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlaygroundMount } from "../../src/api/playground/index.js";
import { createLogger } from "../../src/logger.js";

const logger = createLogger("silent");

/** A GET with the path sent exactly as given (fetch would normalize `..` away). */
function rawGet(baseUrl: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/`, { path: rawPath }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

async function serve(root: string): Promise<{ url: string; server: Server }> {
  const mount = createPlaygroundMount(logger, { root });
  const server = createServer((request, response) => void mount.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("the playground mount", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "inferql-playground-"));
  const built = path.join(dir, "web");
  let url: string;
  let server: Server;

  beforeAll(async () => {
    mkdirSync(path.join(built, "assets"), { recursive: true });
    writeFileSync(path.join(built, "index.html"), "<!doctype html><title>playground</title>");
    writeFileSync(path.join(built, "assets", "index-abc123.js"), "console.log('hi');");
    writeFileSync(path.join(built, "assets", "index-abc123.css"), "body{}");
    writeFileSync(path.join(built, "favicon.svg"), "<svg/>");
    writeFileSync(path.join(dir, "secret.txt"), "do not serve");
    ({ url, server } = await serve(built));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("claims the page, its assets and favicon, and leaves every other path to the other mounts", () => {
    const { matches } = createPlaygroundMount(logger, { root: built });
    for (const pathname of ["/", "/index.html", "/favicon.svg", "/assets/index-abc123.js"])
      expect(matches(pathname), pathname).toBe(true);
    for (const pathname of ["/graphql", "/trpc/health", "/v1/models", "/health", "/metrics", "/nope"])
      expect(matches(pathname), pathname).toBe(false);
  });

  it("serves index.html at / for revalidation on every load, with a content security policy", async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await response.text()).toContain("<title>playground</title>");

    const revalidated = await fetch(`${url}/`, {
      headers: { "if-none-match": response.headers.get("etag") ?? "" },
    });
    expect(revalidated.status).toBe(304);
  });

  it("serves hashed assets with their content type, cached for good; HEAD sends no body", async () => {
    const script = await fetch(`${url}/assets/index-abc123.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toBe("console.log('hi');");
    const style = await fetch(`${url}/assets/index-abc123.css`, { method: "HEAD" });
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(style.headers.get("content-length")).toBe("6");
    expect(await style.text()).toBe("");
    expect((await fetch(`${url}/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");
  });

  it("answers a missing asset with a JSON 404, and other methods with 405", async () => {
    const missing = await fetch(`${url}/assets/index-gone.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { message: "No playground file at /assets/index-gone.js", code: "NOT_FOUND" },
    });
    const post = await fetch(`${url}/`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("never serves a file outside its folder", async () => {
    for (const rawPath of [
      "/assets/../../secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets/..%5c..%5csecret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/assets/x%00.js",
      "/assets/%E0%A4%A",
      "/assets/",
    ]) {
      const response = await rawGet(url, rawPath);
      expect(response.status, rawPath).toBe(404);
      expect(response.body, rawPath).not.toContain("do not serve");
    }
  });

  it("says how to build the page when it has not been built", async () => {
    const unbuilt = await serve(path.join(dir, "not-built"));
    try {
      const page = await fetch(`${unbuilt.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("npm run build:web");
      expect((await fetch(`${unbuilt.url}/assets/index-abc123.js`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => unbuilt.server.close(resolve));
    }
  });
});
