// The scheduler's state now, and cancelling a generation by id (watchScheduler.ts streams the state).
// Tenancy: an API key sees the ids of, and may cancel, only the generations it started; an admin
// key, a server without API keys (one user) and in-process calls (no origin) see and cancel all.
// With a fleet (`--redis`) the state is every live node's, each model's entry labelled with its
// node, and a generation this node does not run is cancelled on the node that does.
import type {
  ModelSchedulerState,
  OwnerScope,
  Scheduler,
  SchedulerState,
} from "../inference/scheduler/scheduler.js";
import type { GenerationCall } from "./context.js";
import type { Fleet, PeerModelState } from "./fleet.js";

/** What reading and watching the state need of the scheduler: its state and its changes (and the fleet's). */
export interface WatchedScheduler {
  scheduler: Pick<Scheduler, "onEvent" | "state">;
  nodeId?: string;
  fleet?: Pick<Fleet, "peers" | "onChange">;
}

/** One node's slots and queue for one model. */
export interface NodeModelSchedulerState extends ModelSchedulerState {
  /** The node whose slots and queue these are. */
  nodeId: string;
}

/** Slots and queues of every node (one node without a fleet), with totals over them. */
export interface FleetSchedulerState extends SchedulerState {
  /** The node that answered. */
  nodeId: string;
  models: NodeModelSchedulerState[];
}

/** The node id used when the composition root names none (tests of the resolvers alone). */
export const DEFAULT_NODE_ID = "local";

/** The generations a call may see by id and cancel: its own key's, or all (no scope). */
export function ownerScopeOf({ origin }: GenerationCall): OwnerScope | undefined {
  const caller = origin?.caller;
  return caller === undefined || caller.admin ? undefined : { ownerKeyId: caller.keyId };
}

/** Slots busy and free for everyone; the ids of running generations only for those who may see them. */
export function schedulerState(deps: WatchedScheduler, call: GenerationCall = {}): FleetSchedulerState {
  const scope = ownerScopeOf(call);
  const nodeId = deps.nodeId ?? DEFAULT_NODE_ID;
  const local = deps.scheduler.state(scope);
  const state: FleetSchedulerState = {
    ...local,
    nodeId,
    models: local.models.map((model) => ({ ...model, nodeId })),
  };
  for (const peer of deps.fleet?.peers() ?? [])
    for (const model of peer.models) {
      state.models.push(scopedPeerModel(peer.nodeId, model, scope));
      state.busySlots += model.busySlots;
      state.totalSlots += model.slots.length;
      state.queued += model.queued;
    }
  return state;
}

/** A peer's model state as `scope` may see it: owners dropped, others' ids hidden. */
function scopedPeerModel(
  nodeId: string,
  model: PeerModelState,
  scope: OwnerScope | undefined,
): NodeModelSchedulerState {
  return {
    model: model.model,
    nodeId,
    slots: model.slots.map((slot) => ({
      index: slot.index,
      busy: slot.busy,
      requestId:
        scope === undefined || (slot.ownerKeyId !== undefined && slot.ownerKeyId === scope.ownerKeyId)
          ? slot.requestId
          : undefined,
      cachedTokens: slot.cachedTokens,
    })),
    busySlots: model.busySlots,
    queued: model.queued,
    queueCapacity: model.queueCapacity,
  };
}

/**
 * Aborts a running or queued generation, on this node or (with a fleet) the one that runs it; false
 * when no generation has that id that this caller started.
 */
export async function cancelGeneration(
  deps: { scheduler: Pick<Scheduler, "cancel">; fleet?: Pick<Fleet, "cancelElsewhere"> },
  id: string,
  call: GenerationCall = {},
): Promise<boolean> {
  const scope = ownerScopeOf(call);
  if (deps.scheduler.cancel(id, scope)) return true;
  return deps.fleet ? deps.fleet.cancelElsewhere(id, scope) : false;
}
