// vitest setup file: one llama.cpp binding instance per test worker and getLlama options.
// node-llama-cpp's getLlama starts the bindings afresh on every call (~0.5 s on 2 cores), and every
// test server (and fixture test) calls it. A server process calls it once, so sharing the instance
// across the servers of a worker changes nothing they do; each call still gets its own log level
// and logger. A disposed instance is dropped, so the next call starts a fresh one.
import type { getLlama as GetLlama, Llama, LlamaOptions } from "node-llama-cpp";
import { vi } from "vitest";

const CACHE = Symbol.for("inferql.tests.sharedLlama");
type Cache = Map<string, Promise<Llama>>;
const globals = globalThis as { [CACHE]?: Cache };
globals[CACHE] ??= new Map();
const cache: Cache = globals[CACHE];

vi.mock("node-llama-cpp", async (importOriginal) => {
  const original = await importOriginal<typeof import("node-llama-cpp")>();
  const getLlama = original.getLlama as (options?: LlamaOptions) => Promise<Llama>;
  async function sharedGetLlama(options: LlamaOptions = {}): Promise<Llama> {
    const { logger, logLevel, ...rest } = options;
    const key = JSON.stringify(rest);
    let pending = cache.get(key);
    if (!pending) {
      pending = getLlama(options).then((llama) => {
        llama.onDispose.createListener(() => {
          if (cache.get(key) === pending) cache.delete(key);
        });
        return llama;
      });
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
      return pending;
    }
    const llama = await pending;
    if (logLevel !== undefined) llama.logLevel = logLevel;
    llama.logger = logger ?? original.Llama.defaultConsoleLogger;
    return llama;
  }
  return { ...original, getLlama: sharedGetLlama as typeof GetLlama };
});
