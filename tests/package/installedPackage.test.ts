// The package as a user gets it: `npm pack` (which builds dist/ and the playground), installed into
// a scratch project with `npm install --omit=dev ./inferql-x.y.z.tgz`, then served with
// the `inferql` bin npm links (what `npx inferql serve` runs) and `npm start`, streamed to with the
// openai client, and its typed client imported and type-checked by a consumer on TypeScript 7 and 5.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiClient } from "../support/openai.js";
import { listeningUrl } from "../support/processLog.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const compilers = {
  "TypeScript 7": path.join(root, "node_modules/typescript/bin/tsc"),
  "TypeScript 5": path.join(root, "node_modules/typescript5/bin/tsc"),
};

let scratch: string;
let tarball: string;
let packedFiles: string[];
let installed: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "inferql-package-"));
  const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", scratch], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  // npm prints the build's output before the JSON report.
  const [report] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = path.join(scratch, report.filename);
  packedFiles = report.files.map((file) => file.path);

  const project = path.join(scratch, "app");
  await mkdir(project);
  await writeFile(
    path.join(project, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  await run(npm, ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
  installed = project;
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the tarball", () => {
  it("holds the compiled server, the client's declarations and the playground, and nothing of development", () => {
    for (const file of [
      "bin/inferql.cjs",
      "bin/installEngine.mjs",
      "dist/server/main.js",
      "dist/client/index.js",
      "dist/client/index.d.ts",
      "dist/web/index.html",
      "README.md",
      "LICENSE",
      "package.json",
    ])
      expect(packedFiles, file).toContain(file);
    const development = packedFiles.filter((file) =>
      /^(src|tests|bench|scripts|codegen|web|\.ci|docs)\//.test(file),
    );
    expect(development).toEqual([]);
  });

  it("installs with production dependencies only", () => {
    const modules = path.join(installed, "node_modules");
    expect(existsSync(path.join(modules, "inferql/dist/server/main.js"))).toBe(true);
    // (typescript arrives anyway: @trpc and node-llama-cpp name it as a peer dependency.)
    for (const devOnly of ["tsx", "vite", "vitest", "rollup", "graphql-sse", "@biomejs/biome", "openai"])
      expect(existsSync(path.join(modules, devOnly)), devOnly).toBe(false);
    // The server's own libraries are inside its bundle (dist/server), not installed beside it.
    for (const bundled of ["graphql", "graphql-yoga", "@pothos/core", "zod", "pino", "redis"])
      expect(existsSync(path.join(modules, bundled)), bundled).toBe(false);
  });
});

interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exit: Promise<number | null>;
}

/**
 * Starts a command of the installed package in a process group of its own, as a terminal would,
 * and waits for its `listening` log line and /ready.
 */
async function startServer(command: string, args: string[], cwd: string): Promise<Server> {
  const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
  const child = spawn(command, args, {
    cwd,
    detached: true,
    env: { ...env, INFERQL_CACHE_DIR: path.join(scratch, "models"), INFERQL_PORT: "0", INFERQL_THREADS: "1" },
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  const { url } = await listeningUrl(child);
  while ((await fetch(`${url}/ready`)).status !== 200)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return { child, url, exit };
}

/** SIGTERM to the server's process group (npm and the server under it), then its exit code. */
async function stop(server: Server): Promise<number | null> {
  process.kill(-(server.child.pid as number), "SIGTERM");
  return server.exit;
}

describe("the installed package", () => {
  it("serves with `npx inferql serve`: a streamed chat completion, the playground, and a clean stop", async () => {
    const server = await startServer(path.join(installed, "node_modules/.bin/inferql"), ["serve"], installed);
    try {
      const stream = await openAiClient(server.url).chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "Hello" }],
        max_tokens: 8,
        stream: true,
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toMatch(/^(stop|length)$/);

      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/assets\//);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it("serves with `npm start` in the package's folder", async () => {
    const server = await startServer(npm, ["start"], path.join(installed, "node_modules/inferql"));
    try {
      expect(await (await fetch(`${server.url}/v1/models`)).json()).toMatchObject({
        data: [expect.objectContaining({ id: "tiny" })],
      });
    } finally {
      await stop(server);
    }
    // npm and the server both ended: nothing answers any more.
    await expect(fetch(`${server.url}/ready`)).rejects.toThrow();
  });

  it("gives a consumer a typed client that needs none of the server's types, on TypeScript 7 and 5", async () => {
    const consumer = `
import { createInferqlClient, type RouterOutputs } from "inferql/client";
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ChatEvent = RouterOutputs["chat"]["stream"] extends AsyncIterable<infer E> ? E : never;
const eventTypes: Equal<ChatEvent["type"], "started" | "reasoningDelta" | "contentDelta" | "toolCallDelta" | "finished"> = true;
// @ts-expect-error messages is required
export const wrong = () => createInferqlClient("http://x").chat.create.mutate({ maxTokens: 4 });
const client = createInferqlClient(process.argv[2]);
const reply = await client.chat.create.mutate({ messages: [{ role: "user", content: "Hi" }], maxTokens: 4 });
const text: string = reply.content ?? "";
console.log(JSON.stringify({ eventTypes, finishReason: reply.finishReason, text: typeof text }));
`;
    await writeFile(path.join(installed, "consumer.ts"), consumer);
    await writeFile(
      path.join(installed, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [path.join(root, "node_modules/@types")],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    for (const [version, tsc] of Object.entries(compilers)) {
      const { stdout } = await run(process.execPath, [tsc, "-p", "tsconfig.json", "--listFiles"], {
        cwd: installed,
      }).catch((error: { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout}` }));
      const files = stdout.trim().split("\n");
      expect(
        files.filter((line) => line.includes("error TS") || line.startsWith("tsc failed")),
        version,
      ).toEqual([]);
      const fromInferql = files.filter((file) => file.includes("/node_modules/inferql/"));
      expect(
        fromInferql.map((file) => file.slice(file.indexOf("inferql/"))),
        version,
      ).toEqual(["inferql/dist/client/index.d.ts"]);
      expect(
        files.filter((file) => /\/node_modules\/(node-llama-cpp|zod|pino|graphql)\//.test(file)),
        version,
      ).toEqual([]);
    }

    const server = await startServer(path.join(installed, "node_modules/.bin/inferql"), ["serve"], installed);
    try {
      const { stdout } = await run(process.execPath, ["out/consumer.js", server.url], { cwd: installed });
      expect(JSON.parse(stdout)).toEqual({
        eventTypes: true,
        finishReason: expect.any(String),
        text: "string",
      });
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
});

it("reports its version as the package's", async () => {
  const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  const { stdout } = await run(npm, ["exec", "--", "inferql", "--version"], { cwd: installed });
  expect(stdout.trim()).toBe(version);
});
