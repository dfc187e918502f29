// Listing the served models.
import type { ModelInfo } from "../inference/engine/loadedModel.js";
import type { InferenceDeps } from "./context.js";

export function listModels(deps: InferenceDeps): ModelInfo[] {
  return deps.registry.list().map((model) => model.info());
}

/** The model, or undefined when no model has that id. */
export function findModel(deps: InferenceDeps, id: string): ModelInfo | undefined {
  return deps.registry
    .list()
    .find((model) => model.id === id)
    ?.info();
}
