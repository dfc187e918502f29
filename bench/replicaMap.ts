// A Map from replica indexes (0…R−1) to numbers for the routing simulation: what it hands
// ReplicaRouter.pick (replicas with a free slot → how many). In insertion order as a Map is (pick
// breaks ties between replicas never chosen by that order), kept as a linked list in typed arrays:
// forEach, pick's scan of every candidate, takes ~3 ns an entry where a Map's took ~8 (~30 % of a
// 512-replica least-loaded run).

const NONE = -1;

export class ReplicaMap implements ReadonlyMap<number, number> {
  private readonly valueAt: Float64Array;
  private readonly present: Uint8Array;
  private readonly next: Int32Array;
  private readonly previous: Int32Array;
  private first = NONE;
  private last = NONE;
  private count = 0;

  /** `replicas`: keys are 0 … replicas − 1. */
  constructor(replicas: number) {
    this.valueAt = new Float64Array(replicas);
    this.present = new Uint8Array(replicas);
    this.next = new Int32Array(replicas).fill(NONE);
    this.previous = new Int32Array(replicas).fill(NONE);
  }

  get size(): number {
    return this.count;
  }

  get(replica: number): number | undefined {
    return this.present[replica] ? this.valueAt[replica] : undefined;
  }

  has(replica: number): boolean {
    return this.present[replica] === 1;
  }

  /** Sets a replica's value; one not present goes last, as in a Map. */
  set(replica: number, value: number): this {
    this.valueAt[replica] = value;
    if (this.present[replica]) return this;
    this.present[replica] = 1;
    this.count++;
    this.previous[replica] = this.last;
    this.next[replica] = NONE;
    if (this.last === NONE) this.first = replica;
    else this.next[this.last] = replica;
    this.last = replica;
    return this;
  }

  delete(replica: number): boolean {
    if (!this.present[replica]) return false;
    this.present[replica] = 0;
    this.count--;
    const previous = this.previous[replica];
    const next = this.next[replica];
    if (previous === NONE) this.first = next;
    else this.next[previous] = next;
    if (next === NONE) this.last = previous;
    else this.previous[next] = previous;
    return true;
  }

  forEach(
    callback: (value: number, replica: number, map: ReadonlyMap<number, number>) => void,
    thisArg?: unknown,
  ): void {
    for (let replica = this.first; replica !== NONE; replica = this.next[replica])
      callback.call(thisArg, this.valueAt[replica], replica, this);
  }

  *entries(): MapIterator<[number, number]> {
    for (let replica = this.first; replica !== NONE; replica = this.next[replica])
      yield [replica, this.valueAt[replica]];
  }

  *keys(): MapIterator<number> {
    for (const [replica] of this.entries()) yield replica;
  }

  *values(): MapIterator<number> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }
}
