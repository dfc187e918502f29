// SchedulerState: slots and queues per model, now (query) and live (subscription).
import type { Resolvers } from "../../resolvers/index.js";
import { builder } from "./builder.js";
import { eventOrThrow, subscriptionSource } from "./subscriptionStream.js";

type SchedulerState = ReturnType<Resolvers["schedulerState"]>;
type ModelSchedulerState = SchedulerState["models"][number];
type SlotState = ModelSchedulerState["slots"][number];

const SlotRef = builder.objectRef<SlotState>("Slot").implement({
  description:
    "One sequence of a model's context: it generates for one request at a time and keeps its KV cache.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "The slot's position in its model's context." }),
    busy: t.exposeBoolean("busy", { description: "Whether a generation runs in this slot." }),
    requestId: t.exposeID("requestId", {
      nullable: true,
      description:
        "The id of the generation running here (the `id` of its GenerationStarted), when busy and the caller may see it: its own API key's generations, or every one for an admin key or a server without API keys.",
    }),
    cachedTokens: t.exposeInt("cachedTokens", {
      description: "Tokens in the slot's KV cache, reusable by a prompt that starts with them.",
    }),
  }),
});

const ModelSchedulerStateRef = builder.objectRef<ModelSchedulerState>("ModelSchedulerState").implement({
  description: "One model's slots and admission queue on one node.",
  fields: (t) => ({
    modelId: t.exposeID("model", { description: "The model's id." }),
    nodeId: t.exposeID("nodeId", {
      description:
        "The inferql node whose slots and queue these are (with `--redis`, every live node of the fleet is listed).",
    }),
    slots: t.expose("slots", { type: [SlotRef], description: "The model's slots." }),
    busySlots: t.exposeInt("busySlots", { description: "Slots generating right now." }),
    queued: t.exposeInt("queued", { description: "Requests waiting for a free slot." }),
    queueCapacity: t.exposeInt("queueCapacity", {
      description: "Requests that may wait; one more is rejected with OVERLOADED.",
    }),
  }),
});

const SchedulerStateRef = builder.objectRef<SchedulerState>("SchedulerState").implement({
  description:
    "The inference scheduler: slots busy and free, and queue depth, in total and per model and node. With `--redis` it covers every live node of the fleet; otherwise this node.",
  fields: (t) => ({
    nodeId: t.exposeID("nodeId", { description: "The node that answered." }),
    busySlots: t.exposeInt("busySlots", { description: "Slots generating right now, over all models." }),
    totalSlots: t.exposeInt("totalSlots", { description: "Slots over all models." }),
    queued: t.exposeInt("queued", { description: "Requests waiting for a free slot, over all models." }),
    models: t.expose("models", { type: [ModelSchedulerStateRef], description: "Per served model and node." }),
  }),
});

builder.queryFields((t) => ({
  scheduler: t.field({
    type: SchedulerStateRef,
    description: "The scheduler's state now.",
    resolve: (_root, _args, { resolvers, origin }) => resolvers.schedulerState({ origin }),
  }),
}));

builder.subscriptionFields((t) => ({
  schedulerEvents: t.field({
    type: SchedulerStateRef,
    description:
      "The scheduler's state now, then again after every change (queued, started, finished); a burst of changes yields one state, and a reader that falls behind gets the newest.",
    subscribe: (_root, _args, context) =>
      subscriptionSource(context, (call) => context.resolvers.watchScheduler(call)),
    resolve: eventOrThrow,
  }),
}));
