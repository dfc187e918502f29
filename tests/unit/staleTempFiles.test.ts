// A process killed while it writes a generated model (kill -9 during the first start) leaves a temp
// file in the cache directory; the next start removes it once it is clearly abandoned.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ensureGeneratedModel } from "../../src/inference/generatedModel/defaultModel.js";
import {
  removeStaleTempFiles,
  STALE_TEMP_FILE_AGE_MS,
} from "../../src/inference/generatedModel/removeStaleTempFiles.js";

const projectRoot = path.resolve(import.meta.dirname, "../..");
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "inferql-stale-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Sets a file's modification time `ms` into the past. */
function age(filePath: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(filePath, then, then);
}

/** Starts `inferql model bench` writing into `dir` and kills it (SIGKILL) once its temp file exists. */
async function killWriterMidWrite(): Promise<string> {
  const child = spawn(
    process.execPath,
    ["dist/server/main.js", "model", "bench", "--out", path.join(dir, "bench.gguf")],
    { cwd: projectRoot, stdio: "ignore" },
  );
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 30_000;
  let temp: string | undefined;
  while (!temp && Date.now() < deadline) {
    temp = fs.readdirSync(dir).find((name) => name.endsWith(".tmp"));
    if (!temp) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill("SIGKILL");
  await exited;
  if (!temp) throw new Error("the writer never created its temp file");
  return temp;
}

test("the temp file of a writer killed mid-write is removed at the next start once it is stale", async () => {
  const temp = await killWriterMidWrite();
  expect(fs.readdirSync(dir)).toEqual([temp]);
  age(path.join(dir, temp), STALE_TEMP_FILE_AGE_MS + 60_000);

  const model = await ensureGeneratedModel({ preset: "tiny", cacheDir: dir });

  expect(fs.readdirSync(dir)).toEqual([path.basename(model.path)]);
});

test("only the writer's temp files that went unwritten for the age limit are removed", async () => {
  const stale = ".tiny-seed42.g1.gguf.4242.0123abcd.tmp";
  const fresh = ".tiny-seed42.g1.gguf.4343.89abcdef.tmp";
  const others = ["tiny-seed42.g1.gguf", "notes.tmp", ".hidden.tmp"];
  for (const name of [stale, fresh, ...others]) fs.writeFileSync(path.join(dir, name), "x");
  for (const name of [stale, ...others]) age(path.join(dir, name), STALE_TEMP_FILE_AGE_MS + 1000);
  // A directory with a temp file's name is not a file the writer left.
  fs.mkdirSync(path.join(dir, ".model.gguf.1.00000000.tmp"));
  age(path.join(dir, ".model.gguf.1.00000000.tmp"), STALE_TEMP_FILE_AGE_MS + 1000);

  expect(await removeStaleTempFiles(dir)).toEqual([stale]);
  expect(fs.readdirSync(dir).sort()).toEqual([fresh, ".model.gguf.1.00000000.tmp", ...others].sort());
});

test("a cache directory that does not exist yet is no error", async () => {
  expect(await removeStaleTempFiles(path.join(dir, "missing"))).toEqual([]);
});
