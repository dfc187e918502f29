// `inferql/client` as another project sees it: built by `npm run build` (globalSetup rebuilds a stale
// dist/), installed by a node_modules link, type-checked with the consumer's own tsconfig, then run
// against the server. (tests/package/ does the same from the packed tarball, on TypeScript 7 and 5.)
import { execFile } from "node:child_process";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { startTestServer } from "../support/startTestServer.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules/typescript/bin/tsc");
const consumerDir = join(root, ".cache", `client-consumer-${process.pid}`);

const consumerTsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    // The client's declarations are checked too, not only used.
    skipLibCheck: false,
    types: ["node"],
    typeRoots: [join(root, "node_modules/@types")],
    outDir: "out",
  },
  files: ["consumer.ts"],
};

// Exact type checks: an `any` leaking through the built .d.ts fails them.
const consumerSource = `
import { createInferqlClient, type RouterInputs, type RouterOutputs } from "inferql/client";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type FinishReason = RouterOutputs["chat"]["create"]["finishReason"];
type ChatEvent = RouterOutputs["chat"]["stream"] extends AsyncIterable<infer E> ? E : never;
const finishReasons: Equal<
  FinishReason,
  "stop" | "length" | "tool_calls" | "cancelled" | "error" | "timeout"
> = true;
const eventTypes: Equal<
  ChatEvent["type"],
  "started" | "reasoningDelta" | "contentDelta" | "toolCallDelta" | "finished"
> = true;
const maxTokens: Equal<RouterInputs["chat"]["stream"]["maxTokens"], number | undefined> = true;

const client = createInferqlClient(process.argv[2]);

export function wrongCalls() {
  // @ts-expect-error messages is required
  void client.chat.create.mutate({ maxTokens: 4 });
  // @ts-expect-error no such procedure
  void client.chat.remove;
}

const health = await client.health.query();
const seen: string[] = [];
let reason: FinishReason | undefined;
for await (const event of client.chat.stream.subscribe({ messages: [{ role: "user", content: "Hi" }], maxTokens: 4 })) {
  seen.push(event.type);
  if (event.type === "finished") reason = event.finishReason;
}
console.log(JSON.stringify({ checks: [finishReasons, eventTypes, maxTokens], status: health.status, seen, reason }));
`;

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer();
});

afterAll(async () => {
  await app?.close();
  await rm(consumerDir, { recursive: true, force: true });
});

it("type-checks in a consumer project without the server's types, and runs there", async () => {
  await rm(consumerDir, { recursive: true, force: true });
  await mkdir(join(consumerDir, "node_modules"), { recursive: true });
  await symlink(root, join(consumerDir, "node_modules", "inferql"), "dir");
  await writeFile(join(consumerDir, "package.json"), JSON.stringify({ type: "module", private: true }));
  await writeFile(join(consumerDir, "tsconfig.json"), JSON.stringify(consumerTsconfig));
  await writeFile(join(consumerDir, "consumer.ts"), consumerSource);

  const typecheck = await run(process.execPath, [tsc, "-p", "tsconfig.json", "--listFiles"], {
    cwd: consumerDir,
  }).catch((error: { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout}` }));
  const files = typecheck.stdout.trim().split("\n");
  expect(files.filter((file) => file.startsWith("tsc failed") || file.includes("error TS"))).toEqual([]);
  // What the consumer's compiler read of inferql: one file of declarations, nothing of the server's.
  const inferqlFiles = files.filter(
    (file) => file.startsWith(root) && !file.startsWith(consumerDir) && !file.includes("/node_modules/"),
  );
  expect(inferqlFiles.map((file) => file.slice(root.length))).toEqual(["dist/client/index.d.ts"]);
  const serverPackages = files.filter((file) =>
    /\/node_modules\/(node-llama-cpp|zod|pino|graphql)\//.test(file),
  );
  expect(serverPackages).toEqual([]);

  const { stdout } = await run(process.execPath, ["out/consumer.js", app.url], { cwd: consumerDir });
  const result = JSON.parse(stdout) as { checks: boolean[]; status: string; seen: string[]; reason: string };
  expect(result).toMatchObject({ checks: [true, true, true], status: "ready", reason: "length" });
  expect(result.seen[0]).toBe("started");
  expect(result.seen.at(-1)).toBe("finished");
});
