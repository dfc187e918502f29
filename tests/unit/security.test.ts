import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { RateLimitedError, UnauthenticatedError } from "../../src/errors.js";
import { AccessControl } from "../../src/security/accessControl.js";
import { ApiKeySet, bearerToken } from "../../src/security/apiKeys.js";
import { RateLimiter } from "../../src/security/rateLimiter.js";

test("a bucket allows a burst of its minute, then one request per refill interval", () => {
  let now = 0;
  const limiter = new RateLimiter(60, () => now);
  for (let index = 0; index < 60; index++) expect(limiter.take("a")).toBe(0);
  expect(limiter.take("a")).toBe(1);
  expect(limiter.take("b")).toBe(0);
  now += 999;
  expect(limiter.take("a")).toBe(1);
  now += 2;
  expect(limiter.take("a")).toBe(0);
  expect(limiter.take("a")).toBe(1);
});

test("Retry-After is the whole seconds until the next request is allowed", () => {
  let now = 0;
  const limiter = new RateLimiter(2, () => now);
  limiter.take("a");
  limiter.take("a");
  expect(limiter.take("a")).toBe(30);
  now += 29_000;
  expect(limiter.take("a")).toBe(1);
});

test("a key matches only itself: not a prefix, an extension or another case", () => {
  const keys = new ApiKeySet(["secret-1", "secret-2"]);
  expect(keys.match("secret-1")).toMatch(/^key:[0-9a-f]{12}$/);
  expect(keys.match("secret-2")).not.toBe(keys.match("secret-1"));
  for (const wrong of ["secret-", "secret-10", "SECRET-1", "", undefined])
    expect(keys.match(wrong)).toBeUndefined();
});

test("Bearer tokens are read from the Authorization value, case-insensitively on the scheme", () => {
  expect(bearerToken("Bearer abc")).toBe("abc");
  expect(bearerToken("bearer abc")).toBe("abc");
  expect(bearerToken(["Bearer abc"])).toBe("abc");
  for (const other of ["Basic abc", "Bearer", "Bearer a b", "abc", undefined, 42])
    expect(bearerToken(other)).toBeUndefined();
});

test("without keys every client passes and is limited by its address; with keys, by its key", () => {
  const open = new AccessControl({ rateLimitPerMinute: 1 });
  expect(open.authenticate("api", undefined, "10.0.0.1")).toBe("ip:10.0.0.1");
  open.admit("ip:10.0.0.1");
  expect(() => open.admit("ip:10.0.0.1")).toThrow(RateLimitedError);
  open.admit("ip:10.0.0.2");

  const locked = new AccessControl({ apiKeys: ["k"], metricsApiKey: "m" });
  expect(() => locked.authenticate("api", undefined, "10.0.0.1")).toThrow(UnauthenticatedError);
  expect(() => locked.authenticate("api", "m", "10.0.0.1")).toThrow(UnauthenticatedError);
  expect(() => locked.authenticate("metrics", "k", "10.0.0.1")).toThrow(UnauthenticatedError);
  expect(locked.authenticate("metrics", "m", "10.0.0.1")).toMatch(/^key:/);
  expect(locked.authenticate("public", undefined, "10.0.0.1")).toBe("ip:10.0.0.1");
});

test("API keys come from --api-key and --api-key-file together; there is no max tokens ceiling unless one is set", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "inferql-config-"));
  try {
    const file = path.join(dir, "keys");
    writeFileSync(file, "# comment\nfrom-file-1\n\n  from-file-2  \n");
    const config = loadConfig(["--api-key", "flag-key", "--api-key-file", file, "--ctx-size", "1024"], {});
    expect(config.apiKeys).toEqual(["flag-key", "from-file-1", "from-file-2"]);
    expect(config.maxTokensLimit).toBeUndefined();
    expect(loadConfig(["--max-tokens-limit", "64"], {}).maxTokensLimit).toBe(64);
    expect(loadConfig([], { INFERQL_API_KEY: "a,b" }).apiKeys).toEqual(["a", "b"]);
    expect(() => loadConfig(["--api-key-file", path.join(dir, "missing")], {})).toThrow(/--api-key-file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  [["--cors-origin", "https://app.example.com/path"], /--cors-origin/],
  [["--cors-origin", "app.example.com"], /--cors-origin/],
  [["--rate-limit", "-1"], /--rate-limit/],
  [["--drain-timeout", "soon"], /--drain-timeout/],
  [["--api-key", "has space"], /--api-key/],
])("bad security setting %j is one clear ConfigError", (argv, message) => {
  expect(() => loadConfig(argv, {})).toThrow(ConfigError);
  expect(() => loadConfig(argv, {})).toThrow(message);
});

test("CORS origins: exact origins and *; defaults are closed", () => {
  expect(loadConfig(["--cors-origin", "https://a.example", "--cors-origin", "*"], {}).corsOrigin).toEqual([
    "https://a.example",
    "*",
  ]);
  const defaults = loadConfig([], {});
  expect(defaults).toMatchObject({
    corsOrigin: [],
    apiKeys: [],
    rateLimit: 0,
    drainTimeout: 10,
    maxMessages: 1000,
  });
});
