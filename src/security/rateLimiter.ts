// A token bucket per client: each holds up to `perMinute` requests and refills continuously at
// perMinute / 60 per second, so a client may burst its whole minute and then goes at the steady rate.
/** Past this many clients, full buckets are forgotten (at most once a second)… */
const SWEEP_AT_CLIENTS = 10_000;
/** …and past this many, the oldest are, whatever their state: memory stays bounded under any address churn. */
const MAX_CLIENTS = 50_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Counts requests per client: 0 when one is allowed, else the whole seconds until one is. The
 * in-process RateLimiter answers at once; a limiter shared by several nodes (src/cluster) with a promise.
 */
export interface RequestRateLimiter {
  take(client: string): number | Promise<number>;
}

export class RateLimiter implements RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one request from `client`'s bucket: 0 when allowed, else the whole seconds until one is. */
  take(client: string): number {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
      bucket.updatedAt = now;
    } else {
      if (this.buckets.size >= SWEEP_AT_CLIENTS) this.sweep(now);
      bucket = { tokens: this.perMinute, updatedAt: now };
      this.buckets.set(client, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  /** Forgets clients whose bucket has refilled (they are indistinguishable from new ones), bounding memory. */
  private sweep(now: number): void {
    if (now - this.sweptAt >= 1000) {
      this.sweptAt = now;
      for (const [client, bucket] of this.buckets)
        if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.perMinute)
          this.buckets.delete(client);
    }
    // Maps iterate in insertion order: the first keys are the clients first seen longest ago.
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < MAX_CLIENTS) break;
      this.buckets.delete(client);
    }
  }
}
