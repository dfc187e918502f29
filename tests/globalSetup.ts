// vitest globalSetup: builds dist/ when stale (the CLI tests run the compiled bin), generates the test
// models once into .cache/test-models and provides their paths to tests, and the directory where the
// workers record the chat wrappers of the models they load (support/recordedChatWrappers.ts).
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { ensureGeneratedLora, ensureGeneratedModel } from "../src/inference/generatedModel/defaultModel.js";
import { ensureServerBuild } from "./support/ensureBuild.js";
import { chatWrapperRecordsDir } from "./support/recordedChatWrappers.js";

/** `<project root>/.cache/test-models` (gitignored). */
const TEST_MODELS_DIR = fileURLToPath(new URL("../.cache/test-models", import.meta.url));

export async function setup(project: TestProject): Promise<void> {
  ensureServerBuild();
  const cacheDir = TEST_MODELS_DIR;
  const [tiny, stopsEarly, tinyLora] = await Promise.all([
    ensureGeneratedModel({ preset: "tiny", cacheDir }),
    ensureGeneratedModel({ preset: "tiny-stops-early", cacheDir }),
    ensureGeneratedLora({ preset: "tiny", cacheDir }),
  ]);
  project.provide("tinyModelPath", tiny.path);
  project.provide("stopsEarlyModelPath", stopsEarly.path);
  project.provide("tinyLoraPath", tinyLora.path);
  project.provide("chatWrappersDir", chatWrapperRecordsDir());
}
