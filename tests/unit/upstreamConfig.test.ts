// --upstream / INFERQL_UPSTREAM parsing: replicas, options, several upstreams in one variable, errors.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

test("ID=URL,URL… with options; several upstreams from one environment variable", () => {
  const config = loadConfig([], {
    INFERQL_UPSTREAM:
      "llama=http://a:8080,http://b:8080/v1,model=qwen,slots=8,kind=llama,timeout=0.5,qwen2=http://c:8000",
  });
  expect(config.upstream).toEqual([
    {
      id: "llama",
      replicas: ["http://a:8080", "http://b:8080/v1"],
      model: "qwen",
      slots: 8,
      kind: "llama",
      timeoutMs: 500,
      healthIntervalMs: 5000,
    },
    {
      id: "qwen2",
      replicas: ["http://c:8000"],
      slots: undefined,
      kind: "openai",
      timeoutMs: 60_000,
      healthIntervalMs: 5000,
    },
  ]);
});

test("the key comes from key= or key-file=", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "inferql-upstream-")), "key");
  writeFileSync(file, "sk-secret\n");
  const [flag] = loadConfig(["--upstream", "a=https://x,key=sk-1"]).upstream;
  const [fromFile] = loadConfig(["--upstream", `a=https://x,key-file=${file}`]).upstream;
  expect(flag.apiKey).toBe("sk-1");
  expect(fromFile.apiKey).toBe("sk-secret");
});

test.each([
  ["http://a:8080", "comes before any ID=URL"],
  ["a=http://x,slots=0", "slots must be"],
  ["a=http://x,kind=tgi", "kind must be"],
  ["a=http://x,bogus", "expected ID=URL"],
  ["a=http://x,timeout=-1", "timeout must be"],
])("--upstream %s is refused", (value, message) => {
  expect(() => loadConfig(["--upstream", value])).toThrow(ConfigError);
  expect(() => loadConfig(["--upstream", value])).toThrow(message);
});
