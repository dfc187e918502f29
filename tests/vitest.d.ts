// Types of the values tests/globalSetup.ts provides to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    tinyModelPath: string;
    stopsEarlyModelPath: string;
    tinyLoraPath: string;
    /** Where the workers of a run record the chat wrapper each model file resolved to (empty at the start). */
    chatWrappersDir: string;
  }
}

// Makes this file a module, so the block above augments vitest's types instead of replacing them.
export {};
