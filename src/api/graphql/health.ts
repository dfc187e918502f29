// Health: whether the models are loaded, and how busy the server is.
import type { Resolvers } from "../../resolvers/index.js";
import { builder } from "./builder.js";

type Health = ReturnType<Resolvers["health"]>;

const ServerStatusEnum = builder.enumType("ServerStatus", {
  description: "Whether the models are ready to serve.",
  values: {
    LOADING: {
      value: "loading",
      description: "Models are still loading; generations fail with MODEL_NOT_READY.",
    },
    READY: { value: "ready", description: "Every model is loaded." },
    FAILED: { value: "failed", description: "Loading a model failed; see the server log." },
  } as const,
});

const HealthRef = builder.objectRef<Health>("Health").implement({
  description: "The server's readiness and load.",
  fields: (t) => ({
    status: t.expose("status", { type: ServerStatusEnum, description: "Whether the models are ready." }),
    models: t.exposeIDList("models", { description: "Ids of the served models." }),
    busySlots: t.exposeInt("busySlots", { description: "Slots generating right now, over all models." }),
    queued: t.exposeInt("queued", { description: "Requests waiting for a free slot, over all models." }),
  }),
});

builder.queryFields((t) => ({
  health: t.field({
    type: HealthRef,
    description: "Readiness and load, as the /health endpoint reports it.",
    resolve: (_root, _args, { resolvers }) => resolvers.health(),
  }),
}));
