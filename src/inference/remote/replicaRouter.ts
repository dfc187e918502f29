// The choice of a replica for a remote upstream's request (RemoteModel.pickSlot), apart from slots,
// health and retries so that it can be tested and simulated on its own (bench/routingSimulation.ts):
// prefix affinity, else least outstanding, equals taking turns.
import { PrefixAffinity } from "./prefixAffinity.js";

export interface ReplicaRouterOptions {
  /** Requests one replica runs at once. */
  slotsPerReplica: number;
  /**
   * Follow prefix affinity only while the replica it names runs at most this many more requests than
   * the least loaded candidate. Unset (inferql's routing): whenever that replica has a free slot.
   */
  balanceThreshold?: number;
  /** Replicas routed among: the affinity table grows with them (affinityCapacityFor). */
  replicas: number;
  /** Prefix hashes the affinity table remembers; default affinityCapacityFor(replicas). */
  affinityCapacity?: number;
}

/**
 * The affinity table's size for a fleet: 1,000 prefix hashes per replica, at least 50,000. With a
 * fixed 50,000 (~100 per replica at 512 replicas) the routing simulation saw conversations forgotten
 * between turns and their follow-ups piled on the replica of their shared system prompt
 * (bench/README.md, "Routing simulation"); ~800 per replica held there. About 34 bytes a hash (42 while
 * the half of them at 2^31 or more were heap numbers; 432,000 held in a 512,000-hash table).
 */
export function affinityCapacityFor(replicas: number): number {
  return Math.max(50_000, 1_000 * replicas);
}

export class ReplicaRouter {
  private readonly affinity: PrefixAffinity;
  /** Replica → when it was last chosen (a counter), so that equally loaded replicas take turns. */
  private readonly lastChosen: number[] = [];
  private chosen = 0;

  constructor(private readonly options: ReplicaRouterOptions) {
    this.affinity = new PrefixAffinity(options.affinityCapacity ?? affinityCapacityFor(options.replicas));
  }

  /**
   * The replica for a request, among `free` (each candidate replica → its free slots, in the order
   * ties are broken among replicas never chosen): the one that served the longest of the prompt's
   * `prefix` hashes when it is a candidate, otherwise the one running the fewest requests, the one
   * chosen longest ago among equals. `prefix` undefined: the request reuses no cache (no affinity
   * looked up or recorded). Undefined when there is no candidate.
   */
  pick(free: ReadonlyMap<number, number>, prefix?: readonly number[]): number | undefined {
    if (free.size === 0) return undefined;
    let chosen = prefix ? this.affinity.lookup(prefix) : undefined;
    if (chosen !== undefined && !free.has(chosen)) chosen = undefined;
    let leastLoaded: number | undefined;
    let leastRunning = Number.POSITIVE_INFINITY;
    if (chosen === undefined || this.options.balanceThreshold !== undefined) {
      const { slotsPerReplica } = this.options;
      const lastChosen = this.lastChosen;
      let leastLastChosen = Number.POSITIVE_INFINITY;
      // forEach, not for…of over the entries, which allocated an array a candidate at every pick.
      free.forEach((slots, replica) => {
        const running = slotsPerReplica - slots;
        if (running > leastRunning) return;
        const chosenAt = lastChosen[replica] ?? 0;
        if (running < leastRunning || chosenAt < leastLastChosen) {
          leastLoaded = replica;
          leastRunning = running;
          leastLastChosen = chosenAt;
        }
      });
    }
    if (chosen !== undefined && this.options.balanceThreshold !== undefined) {
      const running = this.options.slotsPerReplica - (free.get(chosen) ?? 0);
      if (running - leastRunning > this.options.balanceThreshold) chosen = undefined;
    }
    chosen ??= leastLoaded;
    if (chosen === undefined) return undefined;
    this.lastChosen[chosen] = ++this.chosen;
    if (prefix) this.affinity.record(prefix, chosen);
    return chosen;
  }
}
