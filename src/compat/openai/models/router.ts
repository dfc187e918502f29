// GET /v1/models and GET /v1/models/{id}: HTTP only.
import { ModelNotFoundError, ModelNotReadyError } from "../../../errors.js";
import type { Resolvers } from "../../../resolvers/index.js";
import type { Route } from "../http/route.js";
import { sendJson } from "../http/sendJson.js";
import type { ModelList } from "./protocol.js";
import { toWireModel } from "./serving.js";

export function modelRoutes(resolvers: Resolvers): Route[] {
  const created = Math.floor(Date.now() / 1000);
  return [
    {
      method: "GET",
      path: "/v1/models",
      handle(context) {
        const list: ModelList = {
          object: "list",
          data: resolvers.listModels().map((model) => toWireModel(model, created)),
        };
        sendJson(context.response, 200, list);
      },
    },
    {
      method: "GET",
      // Model ids may contain slashes ("org/name"): the rest of the path is the id.
      path: /^\/v1\/models\/(?<id>.+)$/,
      label: "/v1/models/{id}",
      handle(context) {
        const { id } = context.params;
        const model = resolvers.findModel(id);
        if (model) return sendJson(context.response, 200, toWireModel(model, created));
        if (resolvers.health().status === "loading") throw new ModelNotReadyError();
        throw new ModelNotFoundError(id);
      },
    },
  ];
}
