// --admin-api-key: from a flag, its environment variable or a key file, like --api-key. An admin
// key opens the API as any key does; the request it authenticates carries a Caller marked admin.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { IncomingMessage as Message } from "node:http";
import { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadConfig } from "../../src/config.js";
import { AccessControl, callerOf } from "../../src/security/accessControl.js";

const keyDir = mkdtempSync(path.join(os.tmpdir(), "inferql-admin-keys-"));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

const request = (): IncomingMessage => new Message(new Socket());

test("admin keys come from --admin-api-key, INFERQL_ADMIN_API_KEY and --admin-api-key-file", () => {
  const keyFile = path.join(keyDir, "admin.txt");
  writeFileSync(keyFile, "# admins\nadmin-from-file\n");
  expect(loadConfig(["--admin-api-key", "a1", "--admin-api-key", "a2"], {}).adminApiKeys).toEqual([
    "a1",
    "a2",
  ]);
  expect(loadConfig([], { INFERQL_ADMIN_API_KEY: "a1,a2" }).adminApiKeys).toEqual(["a1", "a2"]);
  expect(loadConfig(["--admin-api-key-file", keyFile, "--admin-api-key", "a1"], {}).adminApiKeys).toEqual([
    "a1",
    "admin-from-file",
  ]);
  expect(loadConfig([], { INFERQL_ADMIN_API_KEY_FILE: keyFile }).adminApiKeys).toEqual(["admin-from-file"]);
  expect(loadConfig([], {}).adminApiKeys).toEqual([]);
  expect(() => loadConfig(["--admin-api-key", "two words"], {})).toThrow(/--admin-api-key/);
});

test("a request remembers the key it came with, by a non-secret id, and whether it is an admin key", () => {
  const access = new AccessControl({ apiKeys: ["user-key"], adminApiKeys: ["admin-key"] });
  expect(access.requiresApiKey).toBe(true);
  const user = request();
  const admin = request();
  access.authenticateRequest("api", user, "user-key");
  access.authenticateRequest("api", admin, "admin-key");
  expect(callerOf(user)).toEqual({ keyId: expect.stringMatching(/^key:[0-9a-f]+$/), admin: false });
  expect(callerOf(admin)).toEqual({ keyId: expect.stringMatching(/^key:[0-9a-f]+$/), admin: true });
  expect(callerOf(user)?.keyId).not.toBe(callerOf(admin)?.keyId);
  expect(JSON.stringify([callerOf(user), callerOf(admin)])).not.toMatch(/user-key|admin-key/);
  expect(() => access.authenticateRequest("api", request(), "wrong")).toThrow(/not valid/);
});

test("an admin key alone closes the API to everyone else", () => {
  const access = new AccessControl({ adminApiKeys: ["admin-key"] });
  expect(access.requiresApiKey).toBe(true);
  expect(() => access.authenticateRequest("api", request(), undefined)).toThrow(/required/);
});

test("without API keys a request has no caller: one user, who sees everything", () => {
  const access = new AccessControl({});
  const open = request();
  access.authenticateRequest("api", open, undefined);
  expect(callerOf(open)).toBeUndefined();
});
