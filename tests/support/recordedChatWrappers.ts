// The chat wrapper each model file resolved to, shared by the test workers of a run: one small file per
// model in a directory that tests/globalSetup.ts empties at the start of every run. A worker loading a
// model that another worker has resolved builds the wrapper instead of resolving it (node-llama-cpp
// renders its test conversations through the real chat template for each candidate family: ~0.1–0.7 s
// of CPU for each family fixture). Only a specialised wrapper built with its default settings is
// recorded, by its class name, which is then all it takes to build an equal one.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ChatWrapper } from "node-llama-cpp";

/** A wrapper's settings as data, functions by their source: the same for two wrappers built alike. */
function settingsOf(wrapper: ChatWrapper): string {
  return JSON.stringify(wrapper, (_, value) => (typeof value === "function" ? String(value) : value));
}

/** The class name of the wrapper recorded for the model `key` in this run, if any. */
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
  // another run emptied meanwhile) only means that the other workers resolve it themselves.
  const written = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(written, JSON.stringify({ wrapper: WrapperClass.name }));
    renameSync(written, file);
  } catch {}
}
