// The chat wrapper each model file resolved to, shared by the test workers and kept between runs: one
// small file per model (keyed by its content) in a temporary directory per node-llama-cpp version,
// beside the family fixtures' files (support/familyFixtures.ts). A worker loading a model that has
// been resolved before builds the wrapper instead of resolving it (node-llama-cpp renders its test
// conversations through the real chat template for each candidate family: ~0.1–0.7 s of CPU for
// each family fixture). Only a specialised wrapper built with its default settings is recorded, by
// its class name, which is then all it takes to build an equal one.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChatWrapper } from "node-llama-cpp";

const RECORDS_ROOT = path.join(os.tmpdir(), "inferql-chat-wrapper-records");

/**
 * Creates (when missing) and returns the records' directory for the installed node-llama-cpp, whose
 * resolution the records stand for; the records of other versions are removed.
 */
export function chatWrapperRecordsDir(): string {
  const { version } = JSON.parse(
    readFileSync(new URL("../../node_modules/node-llama-cpp/package.json", import.meta.url), "utf8"),
  ) as { version: string };
  const current = `node-llama-cpp-${version}`;
  mkdirSync(path.join(RECORDS_ROOT, current), { recursive: true });
  for (const entry of readdirSync(RECORDS_ROOT))
    if (entry !== current) rmSync(path.join(RECORDS_ROOT, entry), { recursive: true, force: true });
  return path.join(RECORDS_ROOT, current);
}

/** A wrapper's settings as data, functions by their source: the same for two wrappers built alike. */
function settingsOf(wrapper: ChatWrapper): string {
  return JSON.stringify(wrapper, (_, value) => (typeof value === "function" ? String(value) : value));
}

/** The class name of the wrapper recorded for the model `key`, if any. */
export function recordedWrapperName(dir: string, key: string): string | undefined {
  try {
    const recorded = JSON.parse(readFileSync(path.join(dir, `${key}.json`), "utf8")) as { wrapper: string };
    return recorded.wrapper;
  } catch {
    return undefined;
  }
}

/** Records `wrapper` for the model `key` when it has its class's default settings. */
export function recordWrapper(dir: string, key: string, wrapper: ChatWrapper): void {
  const WrapperClass = wrapper.constructor as new () => ChatWrapper;
  if (settingsOf(new WrapperClass()) !== settingsOf(wrapper)) return;
  const file = path.join(dir, `${key}.json`);
  // Renamed into place, so that a worker never reads a half-written file. Not recorded (a directory
  // another run removed meanwhile) only means that the next worker resolves it itself.
  const written = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(written, JSON.stringify({ wrapper: WrapperClass.name }));
    renameSync(written, file);
  } catch {}
}
