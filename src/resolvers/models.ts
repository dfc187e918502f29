// Listing the served models: what a client may know of them. The weights' file path stays on the
// server (it is in the "model loaded" log line): it would tell clients the server's layout.
import type { ModelInfo } from "../inference/engine/loadedModel.js";
import type { InferenceDeps } from "./context.js";

export type ServedModel = Omit<ModelInfo, "path">;

function servedModel({ path: _serverPath, ...served }: ModelInfo): ServedModel {
  return served;
}

export function listModels(deps: InferenceDeps): ServedModel[] {
  return deps.registry.list().map((model) => servedModel(model.info()));
}

/** The model with that id or alias, or undefined when none has it. */
export function findModel(deps: InferenceDeps, name: string): ServedModel | undefined {
  const id = deps.registry.resolveId(name);
  const model = deps.registry.list().find((candidate) => candidate.id === id);
  return model && servedModel(model.info());
}
