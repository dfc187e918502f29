// Starts the llama.cpp bindings once per process, with its logs routed to ours.
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
