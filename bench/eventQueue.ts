// The routing simulation's event queue: a binary min-heap of events by time, then by the order they
// were scheduled in. Times and orders lie in arrays of numbers beside the items, so that sifting
// compares neighbouring numbers rather than following a pointer per comparison to an event object
// (those comparisons were a tenth of a 512-replica run, most of it waiting on memory).
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private scheduled = 0;
  /** The time of the event popped last. */
  now = 0;

  get size(): number {
    return this.items.length;
  }

  push(time: number, item: T): void {
    const order = this.scheduled++;
    let index = this.items.length;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(time, order, parent)) break;
      this.move(parent, index);
      index = parent;
    }
    this.set(index, time, order, item);
  }

  /** The earliest event's item, its time in `now`. Only while `size` > 0. */
  pop(): T {
    const { times, orders, items } = this;
    const top = items[0];
    this.now = times[0];
    const last = items.length - 1;
    const time = times[last];
    const order = orders[last];
    const item = items[last];
    times.pop();
    orders.pop();
    items.pop();
    if (last === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.before(times[right], orders[right], left) ? right : left;
      if (this.before(time, order, child)) break;
      this.move(child, index);
      index = child;
    }
    this.set(index, time, order, item);
    return top;
  }

  /** Whether an event at `time`, scheduled `order`th, comes before the one at `index`. */
  private before(time: number, order: number, index: number): boolean {
    const other = this.times[index];
    return time < other || (time === other && order < this.orders[index]);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.orders[to] = this.orders[from];
    this.items[to] = this.items[from];
  }

  private set(index: number, time: number, order: number, item: T): void {
    this.times[index] = time;
    this.orders[index] = order;
    this.items[index] = item;
  }
}
