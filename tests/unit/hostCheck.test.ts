import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { HostCheck } from "../../src/security/hostCheck.js";

test("by default only loopback names and IP addresses are answered, on any port", () => {
  const check = new HostCheck();
  for (const host of [
    "localhost",
    "localhost:1",
    "app.localhost:8080",
    "127.0.0.1:8080",
    "10.0.0.7",
    "[::1]:80",
  ])
    expect(check.allows(host), host).toBe(true);
  for (const host of ["evil.example", "localhost.evil.example", "[::1", "a b", "evil.example@localhost", ""])
    expect(check.allows(host), host).toBe(false);
});

test("a request without Host is not a browser's, and is answered", () => {
  expect(new HostCheck().allows(undefined)).toBe(true);
});

test("--host names itself; an address adds nothing", () => {
  expect(new HostCheck({ listenHost: "gpu-box.lan" }).allows("gpu-box.lan:8080")).toBe(true);
  expect(new HostCheck({ listenHost: "0.0.0.0" }).allows("evil.example")).toBe(false);
});

test("--allowed-hosts: exact names, .domain for a domain and its subdomains, * for any", () => {
  const check = new HostCheck({ allowedHosts: ["api.example.com", ".corp.test"] });
  expect(check.allows("api.example.com")).toBe(true);
  expect(check.allows("www.example.com")).toBe(false);
  expect(check.allows("corp.test")).toBe(true);
  expect(check.allows("a.b.corp.test")).toBe(true);
  expect(check.allows("evilcorp.test")).toBe(false);
  expect(new HostCheck({ allowedHosts: ["*"] }).allows("anything.example")).toBe(true);
});

test("--allowed-hosts and INFERQL_ALLOWED_HOSTS take lists; a URL or a port is refused", () => {
  expect(loadConfig(["--allowed-hosts", "a.example", "--allowed-hosts", "*"], {}).allowedHosts).toEqual([
    "a.example",
    "*",
  ]);
  expect(loadConfig([], { INFERQL_ALLOWED_HOSTS: "a.example,.b.example" }).allowedHosts).toEqual([
    "a.example",
    ".b.example",
  ]);
  for (const wrong of ["https://a.example", "a.example:443", "a/b", ""])
    expect(() => loadConfig(["--allowed-hosts", wrong], {}), wrong).toThrow(ConfigError);
});
