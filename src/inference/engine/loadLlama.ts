// Starts the llama.cpp bindings once per process, with its logs routed to ours.
import os from "node:os";
import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";
import type { Logger } from "pino";

export type GpuSetting = "auto" | "cpu" | "cuda" | "vulkan" | "metal";

export interface LoadLlamaOptions {
  /** Which backend to use; "cpu" never touches GPU builds. Defaults to "cpu". */
  gpu?: GpuSetting;
  logger: Logger;
}

export async function loadLlama({ gpu = "cpu", logger }: LoadLlamaOptions): Promise<Llama> {
  return getLlama({
    gpu: gpu === "cpu" ? false : gpu,
    // Never compile or download anything at run time: the prebuilt binaries are all there is.
    build: "never",
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      if (!text) return;
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
        logger.debug({ llama: level }, text);
      else logger.trace({ llama: level }, text);
    },
  });
}

/**
 * llama.cpp threads per decode when none are configured. With OpenMP (a local build of the engine:
 * `npm run build:engine`) every core decodes. The prebuilt binaries have no OpenMP: llama.cpp then
 * starts its own workers for each decode, and with no core free for them a token waits on the
 * kernel's scheduler (2 cores, tiny model: ~1,500 tokens/s with 1 thread, ~200 with 2), so one core
 * is left to the event loop. Measured in bench/README.md.
 */
export function defaultThreadsFor(llama: Llama): number {
  const cores = os.availableParallelism();
  return llama.systemInfo.includes("OPENMP = 1") ? cores : Math.max(1, cores - 1);
}
