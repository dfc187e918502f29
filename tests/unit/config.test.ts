import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

test("defaults serve on 127.0.0.1:8080 with 4 slots, threads left to the engine", () => {
  const config = loadConfig([], {});
  expect(config).toMatchObject({ host: "127.0.0.1", port: 8080, slots: 4, queue: 64, model: [] });
  expect(config.threads).toBeUndefined();
});

test("flags override environment variables", () => {
  const config = loadConfig(["--port", "9000"], { INFERQL_PORT: "7000", INFERQL_SLOTS: "2" });
  expect(config.port).toBe(9000);
  expect(config.slots).toBe(2);
});

test("a node's fleet entry lives 5 s without a heartbeat unless --node-ttl says otherwise", () => {
  expect(loadConfig([], {}).nodeTtl).toBe(5);
  expect(loadConfig(["--node-ttl", "2"], { INFERQL_NODE_TTL: "30" }).nodeTtl).toBe(2);
  expect(loadConfig([], { INFERQL_NODE_TTL: "30" }).nodeTtl).toBe(30);
});

test("a model takes its id from the file name unless named", () => {
  const file = new URL("../../package.json", import.meta.url).pathname;
  const config = loadConfig(["--model", file, "--model", `mine=${file}`], {});
  expect(config.model.map((model) => model.id)).toEqual(["package.json", "mine"]);
});

test.each([
  [["--slots", "0"], /--slots \(INFERQL_SLOTS\)/],
  [["--port", "http"], /--port/],
  [["--model", "/no/such/file.gguf"], /model file not found: \/no\/such\/file.gguf/],
  [["--lora", "nonsense"], /expected \[model:\]name=path/],
  [["--colour", "blue"], /Unknown option '--colour'/],
  [["--node-ttl", "0"], /--node-ttl \(INFERQL_NODE_TTL\)/],
])("bad configuration %j is one clear ConfigError", (argv, message) => {
  expect(() => loadConfig(argv, {})).toThrow(ConfigError);
  expect(() => loadConfig(argv, {})).toThrow(message);
});
