// vitest setup file: what node-llama-cpp works out afresh on every call, worked out once per test
// worker (the workers run many files each: vitest.config.ts, isolate false). A server process does
// each of these once, for its one Llama and its models; the test servers of a worker share them.
// - getLlama starts the llama.cpp bindings (~0.5 s on 2 cores): one instance per option set; each
//   call still gets its own log level and logger. A disposed instance is dropped, so the next call
//   starts a fresh one.
// - resolveChatWrapper(model) compares the GGUF's chat template with every known family (~0.2 s per
//   model load): its answer is kept per model file content (the GGUF metadata, which holds the
//   template, tokenizer and names). Only specialised wrappers are kept: they keep no reference to
//   the model (template-based ones are built from its tokenizer, so those are resolved each time).
//   A worker also records the answer for other workers and later runs (recordedChatWrappers.ts), so
//   that a model file is resolved once rather than once per worker and run.
// - new JinjaTemplateChatWrapper({ template, tokenizer }) reads the template's call syntax and
//   segments by rendering it (~20 ms for the tiny model's, at each of its ~60 loads a run): kept per
//   model file content and options. It uses the tokenizer only while it is built.
import { createHash } from "node:crypto";
import type {
  ChatWrapper,
  getLlama as GetLlama,
  JinjaTemplateChatWrapper,
  JinjaTemplateChatWrapperOptions,
  Llama,
  LlamaModel,
  LlamaOptions,
  Tokenizer,
} from "node-llama-cpp";
import { inject, vi } from "vitest";
import { recordedWrapperName, recordWrapper } from "./recordedChatWrappers.js";

const CACHE = Symbol.for("inferql.tests.sharedLlama");
interface Caches {
  llamas: Map<string, Promise<Llama>>;
  chatWrappers: Map<string, ChatWrapper>;
  templateWrappers: Map<string, JinjaTemplateChatWrapper>;
  /** A loaded model's tokenizer → the model's key (modelKey), for the template wrappers' keys. */
  tokenizerModels: WeakMap<Tokenizer, string>;
}
const globals = globalThis as { [CACHE]?: Caches };
globals[CACHE] ??= {
  llamas: new Map(),
  chatWrappers: new Map(),
  templateWrappers: new Map(),
  tokenizerModels: new WeakMap(),
};
const { llamas, chatWrappers, templateWrappers, tokenizerModels } = globals[CACHE];

vi.mock("node-llama-cpp", async (importOriginal) => {
  const original = await importOriginal<typeof import("node-llama-cpp")>();
  const getLlama = original.getLlama as (options?: LlamaOptions) => Promise<Llama>;

  async function sharedGetLlama(options: LlamaOptions = {}): Promise<Llama> {
    const { logger, logLevel, ...rest } = options;
    const key = JSON.stringify(rest);
    let pending = llamas.get(key);
    if (!pending) {
      pending = getLlama(options).then((llama) => {
        llama.onDispose.createListener(() => {
          if (llamas.get(key) === pending) llamas.delete(key);
        });
        return llama;
      });
      llamas.set(key, pending);
      pending.catch(() => llamas.delete(key));
      return pending;
    }
    const llama = await pending;
    if (logLevel !== undefined) llama.logLevel = logLevel;
    llama.logger = logger ?? original.Llama.defaultConsoleLogger;
    return llama;
  }

  const resolveChatWrapper = original.resolveChatWrapper as (
    options: unknown,
    modelOptions?: unknown,
  ) => ChatWrapper | null;
  function sharedResolveChatWrapper(options: unknown, modelOptions?: unknown): ChatWrapper | null {
    if (!(options instanceof original.LlamaModel) || modelOptions !== undefined)
      return resolveChatWrapper(options, modelOptions);
    const key = modelKey(options);
    tokenizerModels.set(options.tokenizer, key);
    const kept = chatWrappers.get(key) ?? recordedWrapper(key);
    if (kept) {
      chatWrappers.set(key, kept);
      return kept;
    }
    const wrapper = resolveChatWrapper(options);
    if (
      wrapper &&
      !(
        wrapper instanceof original.JinjaTemplateChatWrapper ||
        wrapper instanceof original.TemplateChatWrapper
      )
    ) {
      chatWrappers.set(key, wrapper);
      recordWrapper(inject("chatWrappersDir"), key, wrapper);
    }
    return wrapper;
  }

  /** A wrapper of the class recorded for the model (by another worker or an earlier run), with its default settings. */
  function recordedWrapper(key: string): ChatWrapper | undefined {
    const name = recordedWrapperName(inject("chatWrappersDir"), key);
    const WrapperClass: unknown = name === undefined ? undefined : original[name as keyof typeof original];
    if (typeof WrapperClass !== "function" || !(WrapperClass.prototype instanceof original.ChatWrapper))
      return undefined;
    return new (WrapperClass as new () => ChatWrapper)();
  }

  /**
   * The class itself for `instanceof`; `new` gives the wrapper built before for the same model file
   * (known by its tokenizer, seen by resolveChatWrapper) and options, when the options are plain data.
   */
  const SharedJinjaTemplateChatWrapper = new Proxy(original.JinjaTemplateChatWrapper, {
    construct(WrapperClass, [options]: [JinjaTemplateChatWrapperOptions]) {
      const { tokenizer, ...settings } = options;
      const model = tokenizer && tokenizerModels.get(tokenizer);
      const settingsKey = plainDataKey(settings);
      const key = model && settingsKey && `${model}\0${settingsKey}`;
      let wrapper = key ? templateWrappers.get(key) : undefined;
      if (!wrapper) {
        wrapper = new WrapperClass(options);
        if (key) templateWrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });

  return {
    ...original,
    getLlama: sharedGetLlama as typeof GetLlama,
    resolveChatWrapper: sharedResolveChatWrapper as typeof original.resolveChatWrapper,
    JinjaTemplateChatWrapper: SharedJinjaTemplateChatWrapper,
  };
});

/** The model file's name and its whole GGUF metadata (chat template, tokenizer, architecture, names). */
function modelKey(model: LlamaModel): string {
  const metadata = JSON.stringify(model.fileInfo.metadata, (_, value) =>
    typeof value === "bigint" ? `${value}n` : value,
  );
  return createHash("sha256")
    .update(`${model.filename}\0${model.tokens.bosString}\0`)
    .update(metadata)
    .digest("hex");
}

/** `value` as JSON; undefined when it holds anything else (a function). */
function plainDataKey(value: unknown): string | undefined {
  let plain = true;
  const json = JSON.stringify(value, (_, entry) => {
    if (typeof entry === "function") plain = false;
    return entry;
  });
  return plain ? json : undefined;
}
