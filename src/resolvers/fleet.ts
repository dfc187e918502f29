// What the resolvers need from the other nodes of a fleet (`--redis`; src/cluster implements it): their
// scheduler states, told when those change, and cancelling a generation that runs on one of them.
// A single node has none, and the resolvers then see only this node's scheduler.
import type { ModelSchedulerState, OwnerScope, SlotState } from "../inference/scheduler/scheduler.js";

/**
 * A peer's slot: a slot's state as this node's scheduler reports it, with the API key id that started
 * its generation (tenancy is applied by the node that reads it).
 */
export interface PeerSlotState extends SlotState {
  ownerKeyId?: string;
}

export interface PeerModelState extends Omit<ModelSchedulerState, "slots"> {
  slots: PeerSlotState[];
}

/** Another node's slots and queues, as it last published them (unscoped: every id, with its owner). */
export interface PeerState {
  nodeId: string;
  models: PeerModelState[];
}

export interface Fleet {
  /** The other live nodes, by node id. */
  peers(): readonly PeerState[];
  /** Calls `listener` when a peer's state changes, a peer joins or a peer leaves (or expires). */
  onChange(listener: () => void): () => void;
  /**
   * Asks the other nodes to cancel the generation `id` (as `scheduler.cancel(id, scope)` would);
   * true when one did. Settles quickly whatever the other nodes or the shared store do.
   */
  cancelElsewhere(id: string, scope: OwnerScope | undefined): Promise<boolean>;
}
