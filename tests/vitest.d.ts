// Types of the values tests/globalSetup.ts provides to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    tinyModelPath: string;
    stopsEarlyModelPath: string;
    tinyLoraPath: string;
    /** Where the workers record the chat wrapper each model file resolved to (kept between runs). */
    chatWrappersDir: string;
  }
}

// Makes this file a module, so the block above augments vitest's types instead of replacing them.
export {};
