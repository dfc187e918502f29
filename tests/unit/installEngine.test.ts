// bin/installEngine.mjs, npm's postinstall: what it decides, run as npm runs it (a real process) in
// scratch projects whose node_modules/node-llama-cpp holds only what the step reads, with a scratch
// cache and a PATH that offers the build tools or not. Compiling llama.cpp itself is not tested here
// (minutes); node-llama-cpp's CLI stands in for it through a script at its path.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";

const run = promisify(execFile);
const installer = path.resolve(import.meta.dirname, "../../bin/installEngine.mjs");
const folder = `${process.platform}-${process.arch}`;
const BUILD_FILES = ["Release/llama-addon.node", "Release/_nlcBuildMetadata.json", "buildDone.status"];

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inferql-engine-"));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A project with the installer in bin/ and the files of node-llama-cpp that it reads. */
function project(name: string): { root: string; localBuild: string; cli: string } {
  const root = path.join(scratch, name);
  const nodeLlamaCpp = path.join(root, "node_modules/node-llama-cpp");
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });
  fs.copyFileSync(installer, path.join(root, "bin/installEngine.mjs"));
  fs.mkdirSync(path.join(nodeLlamaCpp, "llama"), { recursive: true });
  fs.writeFileSync(
    path.join(nodeLlamaCpp, "package.json"),
    JSON.stringify({ name: "node-llama-cpp", version: "3.21.1" }),
  );
  fs.writeFileSync(
    path.join(nodeLlamaCpp, "llama/binariesGithubRelease.json"),
    JSON.stringify({ release: "v0.4.0" }),
  );
  return {
    root,
    localBuild: path.join(nodeLlamaCpp, "llama/localBuilds", folder),
    cli: path.join(nodeLlamaCpp, "dist/cli/cli.js"),
  };
}

/** Writes a complete build as node-llama-cpp lays it out; `marker` tells builds apart. */
function writeBuild(dir: string, marker: string): void {
  for (const file of BUILD_FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), `${marker}:${file}`);
  }
}

/** A folder for PATH holding stand-ins for the named tools (empty: no build tools at all). */
function toolsOnPath(...tools: string[]): string {
  const bin = fs.mkdtempSync(path.join(scratch, "bin-"));
  for (const tool of tools) fs.writeFileSync(path.join(bin, tool), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  return bin;
}

async function install(root: string, env: Record<string, string>): Promise<string> {
  const { stderr } = await run(process.execPath, [path.join(root, "bin/installEngine.mjs")], {
    env: { INFERQL_ENGINE_CACHE_DIR: path.join(scratch, "cache"), PATH: toolsOnPath(), ...env },
  });
  return stderr;
}

const cacheEntries = () =>
  fs.existsSync(path.join(scratch, "cache")) ? fs.readdirSync(path.join(scratch, "cache")) : [];

describe.runIf(process.platform === "linux")("the engine step of npm install", () => {
  test("with no compiler and nothing cached, it says so and leaves the prebuilt engine", async () => {
    const { root, localBuild } = project("app");
    const said = await install(root, {});
    expect(said).toContain(
      "engine: no git, cmake, make or ninja, a C++ compiler found, so node-llama-cpp's prebuilt engine is used",
    );
    expect(fs.existsSync(localBuild)).toBe(false);
  });

  test("a build made in one clone is restored in the next without compiling", async () => {
    const first = project("first");
    writeBuild(first.localBuild, "built-here");
    expect(await install(first.root, {})).toContain(
      "engine: the local llama.cpp build in node_modules is kept",
    );

    const second = project("second");
    const said = await install(second.root, {});
    expect(said).toMatch(/engine: restored this machine's llama\.cpp build from .* \(no compiling\)/);
    for (const file of BUILD_FILES)
      expect(fs.readFileSync(path.join(second.localBuild, file), "utf8")).toBe(`built-here:${file}`);
    // Only the build (its loadable files) is in the cache: no build log, so nothing was compiled.
    expect(cacheEntries().filter((name) => name.endsWith(".log"))).toEqual([]);
  });

  test("with the tools, it builds through node-llama-cpp, says so first, and caches the result", async () => {
    const { root, localBuild, cli } = project("app");
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    fs.writeFileSync(
      cli,
      `import fs from "node:fs"; import path from "node:path";
console.log("args:", process.argv.slice(2).join(" "));
for (const file of ${JSON.stringify(BUILD_FILES)}) {
  const target = path.join(${JSON.stringify(localBuild)}, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, "compiled:" + file);
}`,
    );
    const said = await install(root, { PATH: toolsOnPath("git", "cmake", "ninja", "c++") });
    expect(said).toContain(
      "inferql: building the llama.cpp engine for this CPU (~7 min on 2 cores; set INFERQL_ENGINE_BUILD=0 to skip)",
    );
    expect(said).toMatch(/engine built in [\d.]+ min and cached in /);
    const log = cacheEntries().find((name) => name.endsWith(".log"));
    expect(fs.readFileSync(path.join(scratch, "cache", log ?? ""), "utf8")).toContain(
      "args: source download --gpu false --noUsageExample",
    );

    const next = project("next");
    expect(await install(next.root, {})).toContain("(no compiling)");
    expect(fs.readFileSync(path.join(next.localBuild, BUILD_FILES[0]), "utf8")).toBe(
      `compiled:${BUILD_FILES[0]}`,
    );
    expect(fs.readFileSync(path.join(localBuild, BUILD_FILES[0]), "utf8")).toBe(`compiled:${BUILD_FILES[0]}`);
  });

  test("a failed build falls back to the prebuilt engine, leaves no partial build, and the install goes on", async () => {
    const { root, localBuild, cli } = project("app");
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    fs.writeFileSync(
      cli,
      `import fs from "node:fs";
fs.mkdirSync(${JSON.stringify(path.join(localBuild, "Release"))}, { recursive: true });
console.error("c++: internal compiler error");
process.exit(1);`,
    );
    const said = await install(root, { PATH: toolsOnPath("git", "cmake", "make", "g++") });
    expect(said).toMatch(/engine build failed \(log: .*\.log\): node-llama-cpp's prebuilt engine is used/);
    expect(fs.existsSync(localBuild)).toBe(false);
    expect(cacheEntries().filter((name) => !name.endsWith(".log"))).toEqual([]);
  });

  test("a cache it cannot write costs only the cache: the build stays and the install goes on", async () => {
    const { root, localBuild } = project("app");
    writeBuild(localBuild, "built-here");
    const notADirectory = path.join(scratch, "a-file");
    fs.writeFileSync(notADirectory, "");
    const said = await install(root, { INFERQL_ENGINE_CACHE_DIR: path.join(notADirectory, "cache") });
    expect(said).toMatch(
      /engine: the local llama\.cpp build in node_modules is kept \(not cached: .*ENOTDIR/,
    );
    expect(fs.readFileSync(path.join(localBuild, BUILD_FILES[0]), "utf8")).toBe(
      `built-here:${BUILD_FILES[0]}`,
    );
  });

  test("INFERQL_ENGINE_BUILD=0 skips the step, cached build or not", async () => {
    const first = project("first");
    writeBuild(first.localBuild, "built-here");
    await install(first.root, {});
    const second = project("second");
    const said = await install(second.root, { INFERQL_ENGINE_BUILD: "0" });
    expect(said).toContain("INFERQL_ENGINE_BUILD=0: using node-llama-cpp's prebuilt engine");
    expect(fs.existsSync(second.localBuild)).toBe(false);
  });
});
