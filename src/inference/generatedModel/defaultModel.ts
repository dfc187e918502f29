// Cache of generated models: returns <cacheDir>/<preset>-seed<seed>.g<version>.gguf, generating it once if missing.
import fs from "node:fs/promises";
import path from "node:path";
import { PACKAGE_ROOT } from "../../packageRoot.js";
import { DEFAULT_LORA_OPTIONS } from "./loraAdapter.js";
import {
  DEFAULT_PRESET,
  DEFAULT_SEED,
  generateLoraFile,
  generateModelFile,
  type ModelPreset,
} from "./presets.js";
import { removeStaleTempFiles } from "./removeStaleTempFiles.js";

/** Bump when the generator's output changes, so cached files from an older generator are not reused. */
export const GENERATOR_VERSION = 3;

/** `<package root>/.cache/models` (gitignored), or `$INFERQL_CACHE_DIR` when set. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.INFERQL_CACHE_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(PACKAGE_ROOT, ".cache", "models");
}

export interface EnsureGeneratedModelOptions {
  preset?: ModelPreset;
  seed?: number;
  cacheDir?: string;
}

export interface EnsureGeneratedLoraOptions extends EnsureGeneratedModelOptions {
  rank?: number;
  alpha?: number;
}

export interface EnsuredFile {
  path: string;
  /** True when this call generated the file, false when it was already cached. */
  created: boolean;
}

/** Generations in flight in this process, so concurrent callers share one. */
const inFlight = new Map<string, Promise<EnsuredFile>>();

async function exists(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/** Cache directories this process has already rid of abandoned temp files. */
const cleanedDirs = new Map<string, Promise<unknown>>();

/** Removes the temp files of writers killed mid-write from a cache directory, once per process. */
function cleanCacheDirOnce(dir: string): Promise<unknown> {
  let cleaning = cleanedDirs.get(dir);
  if (!cleaning) {
    cleaning = removeStaleTempFiles(dir);
    cleanedDirs.set(dir, cleaning);
  }
  return cleaning;
}

function ensureFile(filePath: string, generate: (outPath: string) => void): Promise<EnsuredFile> {
  const pending = inFlight.get(filePath);
  if (pending) return pending.then(() => ({ path: filePath, created: false }));
  const work = (async (): Promise<EnsuredFile> => {
    await cleanCacheDirOnce(path.dirname(filePath));
    if (await exists(filePath)) return { path: filePath, created: false };
    // The writer renames a finished temp file into place, so another process doing the same is harmless.
    generate(filePath);
    return { path: filePath, created: true };
  })().finally(() => inFlight.delete(filePath));
  inFlight.set(filePath, work);
  return work;
}

/** Path of a cached preset model, generated first if missing. */
export function ensureGeneratedModel({
  preset = DEFAULT_PRESET,
  seed = DEFAULT_SEED,
  cacheDir = defaultCacheDir(),
}: EnsureGeneratedModelOptions = {}): Promise<EnsuredFile> {
  const filePath = path.join(path.resolve(cacheDir), `${preset}-seed${seed}.g${GENERATOR_VERSION}.gguf`);
  return ensureFile(filePath, (outPath) => generateModelFile({ preset, outPath, seed }));
}

/** Path of a cached LoRA adapter for a preset model, generated first if missing. */
export function ensureGeneratedLora({
  preset = DEFAULT_PRESET,
  seed = DEFAULT_SEED,
  cacheDir = defaultCacheDir(),
  rank = DEFAULT_LORA_OPTIONS.rank,
  alpha = DEFAULT_LORA_OPTIONS.alpha,
}: EnsureGeneratedLoraOptions = {}): Promise<EnsuredFile> {
  const fileName = `${preset}-lora-r${rank}-a${alpha}-seed${seed}.g${GENERATOR_VERSION}.gguf`;
  const filePath = path.join(path.resolve(cacheDir), fileName);
  return ensureFile(filePath, (outPath) => generateLoraFile({ preset, outPath, seed, rank, alpha }));
}
