// Starts the llama.cpp bindings once per process, with its logs routed to ours.
import os from "node:os";
import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";
import type { Logger } from "pino";

export type GpuSetting = "auto" | "cpu" | "cuda" | "vulkan" | "metal";

export interface LoadLlamaOptions {
  /** Which backend to use; "cpu" never touches GPU builds. Defaults to "cpu". */
  gpu?: GpuSetting;
  /** --threads, when set; only for the start-up line (absent: defaultThreadsFor). */
  threads?: number;
  logger: Logger;
}

export async function loadLlama({ gpu = "cpu", threads, logger }: LoadLlamaOptions): Promise<Llama> {
  const llama = await getLlama({
    gpu: gpu === "cpu" ? false : gpu,
    // Never compile or download anything at run time: the prebuilt binaries, or the local build that
    // `npm install` made or restored (bin/installEngine.mjs), are all there is.
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
  logger.info(
    {
      engine: describeEngine(llama),
      gpu: llama.gpu || "cpu",
      threads: threads ?? defaultThreadsFor(llama),
      threadsFrom: threads === undefined ? "default" : "--threads",
    },
    "llama.cpp engine loaded",
  );
  return llama;
}

const hasOpenMp = (llama: Llama) => llama.systemInfo.includes("OPENMP = 1");

/** "prebuilt", or "local build (OpenMP)": which binaries node-llama-cpp loaded (README, the engine build). */
export function describeEngine(llama: Llama): string {
  const build = llama.buildType === "localBuild" ? "local build" : "prebuilt";
  return hasOpenMp(llama) ? `${build} (OpenMP)` : build;
}

/**
 * llama.cpp threads per decode when none are configured. With OpenMP (the local build `npm install`
 * makes: bin/installEngine.mjs) every core decodes. The prebuilt binaries have no OpenMP: ggml then
 * makes a thread pool per decode whose threads spin, never sleep, while they wait for each other, so
 * with no core free for them a token waits on the kernel's scheduler (2 cores, tiny model: ~1,500
 * tokens/s with 1 thread, ~200 with 2), and one core is left to the event loop and the clients.
 * Measured in bench/README.md.
 */
export function defaultThreadsFor(llama: Llama): number {
  const cores = os.availableParallelism();
  return hasOpenMp(llama) ? cores : Math.max(1, cores - 1);
}
