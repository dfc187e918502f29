// Removes the temp files a GGUF write leaves when its process is killed mid-write (kill -9 during the
// first model generation), which would otherwise stay in the cache directory forever.
import fs from "node:fs/promises";
import path from "node:path";
import { isGgufTempFileName } from "../gguf/ggufWriter.js";

/**
 * How long a temp file must have gone unwritten to count as abandoned. A live write is synchronous
 * and continuous (seconds even for the bench model), so its file is always fresh; by age alone a
 * writer in another process, container or PID namespace sharing the directory is never disturbed.
 */
export const STALE_TEMP_FILE_AGE_MS = 10 * 60 * 1000;

export interface RemoveStaleTempFilesOptions {
  maxAgeMs?: number;
  now?: number;
}

/** Deletes the writer's temp files in `dir` not modified for `maxAgeMs`; returns their names. Never throws. */
export async function removeStaleTempFiles(
  dir: string,
  { maxAgeMs = STALE_TEMP_FILE_AGE_MS, now = Date.now() }: RemoveStaleTempFilesOptions = {},
): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter(isGgufTempFileName)) {
    const filePath = path.join(dir, name);
    try {
      const stat = await fs.lstat(filePath);
      if (!stat.isFile() || now - stat.mtimeMs < maxAgeMs) continue;
      await fs.rm(filePath, { force: true });
      removed.push(name);
    } catch {
      // Gone already (another process cleaning too), or not ours to remove: leave it.
    }
  }
  return removed;
}
