// The models this server serves, by id: loading state, lookup, and shutdown.
import type { Llama } from "node-llama-cpp";
import type { Logger } from "pino";
import { ModelNotFoundError, ModelNotReadyError } from "../errors.js";
import { type ContextSettings, LoadedModel, type ModelSpec } from "./engine/loadedModel.js";
import { defaultThreadsFor } from "./engine/loadLlama.js";
import type { ScheduledModels } from "./scheduler/scheduledModel.js";

export type RegistryStatus = "loading" | "ready" | "failed";

export class ModelRegistry implements ScheduledModels {
  private readonly loaded = new Map<string, LoadedModel>();
  /** Alias to model id. */
  private readonly aliases: ReadonlyMap<string, string>;
  private currentStatus: RegistryStatus = "loading";

  constructor(
    readonly specs: readonly ModelSpec[],
    /** `threads` absent: chosen for the engine once it loads (defaultThreadsFor). */
    private readonly settings: Omit<ContextSettings, "threads"> & { threads?: number },
  ) {
    this.aliases = new Map(
      specs.flatMap((spec) => (spec.aliases ?? []).map((alias) => [alias, spec.id] as const)),
    );
  }

  get status(): RegistryStatus {
    return this.currentStatus;
  }

  /** The model requests get when they name none. */
  get defaultModelId(): string {
    return this.specs[0].id;
  }

  async loadAll(llama: Llama, logger: Logger): Promise<void> {
    try {
      const settings = { ...this.settings, threads: this.settings.threads ?? defaultThreadsFor(llama) };
      for (const spec of this.specs) {
        const startedAt = performance.now();
        const model = await LoadedModel.load(llama, spec, settings);
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

  /** The loaded model by id or alias; ModelNotFound for an unknown name, ModelNotReady while it loads. */
  get(name: string): LoadedModel {
    const id = this.resolveId(name);
    const model = this.loaded.get(id);
    if (model) return model;
    if (this.specs.some((spec) => spec.id === id)) throw new ModelNotReadyError();
    throw new ModelNotFoundError(name);
  }

  list(): LoadedModel[] {
    return [...this.loaded.values()];
  }

  async dispose(): Promise<void> {
    await Promise.all(this.list().map((model) => model.dispose()));
    this.loaded.clear();
  }
}
