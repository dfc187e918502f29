// The models this server serves, by id: local GGUF models (LoadedModel) and remote upstreams
// (RemoteModel), their loading state, lookup, and shutdown. The scheduler and the resolvers take
// either (`get`); a resolver that runs something outside the scheduler (embeddings, rerank, the
// tokenizer, prompt rendering) asks a remote model's replicas for it.
import type { Llama } from "node-llama-cpp";
import type { Logger } from "pino";
import { ModelNotFoundError, ModelNotReadyError } from "../errors.js";
import { type ContextSettings, LoadedModel, type ModelSpec } from "./engine/loadedModel.js";
import { defaultThreadsFor } from "./engine/loadLlama.js";
import type { RemoteModel } from "./remote/remoteModel.js";
import type { ScheduledModels } from "./scheduler/scheduledModel.js";

export type RegistryStatus = "loading" | "ready" | "failed";

/** A served model: local, or remote. */
export type ServedModel = LoadedModel | RemoteModel;

export class ModelRegistry implements ScheduledModels {
  private readonly loaded = new Map<string, LoadedModel>();
  /** Alias to model id. */
  private readonly aliases: ReadonlyMap<string, string>;
  private currentStatus: RegistryStatus = "loading";

  constructor(
    readonly specs: readonly ModelSpec[],
    /** `threads` absent: chosen for the engine once it loads (defaultThreadsFor). */
    private readonly settings: Omit<ContextSettings, "threads"> & { threads?: number },
    /** Models served by remote upstreams (--upstream): ready from the start, probed by themselves. */
    readonly remotes: readonly RemoteModel[] = [],
  ) {
    this.aliases = new Map(
      specs.flatMap((spec) => (spec.aliases ?? []).map((alias) => [alias, spec.id] as const)),
    );
  }

  /** Every served model's id: local ones first, then the upstreams. */
  get modelIds(): string[] {
    return [...this.specs.map((spec) => spec.id), ...this.remotes.map((remote) => remote.id)];
  }

  get status(): RegistryStatus {
    return this.currentStatus;
  }

  /** The model requests get when they name none. */
  get defaultModelId(): string {
    return this.specs[0]?.id ?? this.remotes[0].id;
  }

  /** Loads the local models (`llama` is only needed when there are some). */
  async loadAll(llama: Llama | undefined, logger: Logger): Promise<void> {
    try {
      if (this.specs.length && !llama) throw new Error("local models need the llama.cpp engine");
      const settings = {
        ...this.settings,
        threads: this.settings.threads ?? (llama ? defaultThreadsFor(llama) : 1),
      };
      for (const spec of this.specs) {
        const startedAt = performance.now();
        const model = await LoadedModel.load(llama as Llama, spec, settings);
        this.loaded.set(spec.id, model);
        logger.info(
          {
            model: spec.id,
            path: spec.path,
            ms: Math.round(performance.now() - startedAt),
            ...settings,
          },
          "model loaded",
        );
      }
      this.currentStatus = "ready";
    } catch (error) {
      this.currentStatus = "failed";
      throw error;
    }
  }

  /** The id of the model a name selects: an alias's model, else the name itself. */
  resolveId(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  /** The model by id or alias; ModelNotFound for an unknown name, ModelNotReady while it loads. */
  get(name: string): ServedModel {
    const id = this.resolveId(name);
    const model = this.loaded.get(id) ?? this.remotes.find((remote) => remote.id === id);
    if (model) return model;
    if (this.specs.some((spec) => spec.id === id)) throw new ModelNotReadyError();
    throw new ModelNotFoundError(name);
  }

  /** The served models: the local ones loaded so far, then the upstreams. */
  list(): ServedModel[] {
    return [...this.loaded.values(), ...this.remotes];
  }

  async dispose(): Promise<void> {
    for (const remote of this.remotes) remote.dispose();
    await Promise.all([...this.loaded.values()].map((model) => model.dispose()));
    this.loaded.clear();
  }
}
