// The rate limit shared by every node of a fleet: the same token bucket as src/security/rateLimiter.ts
// (N requests per minute per client, refilled continuously, bursting up to N), kept in Redis and
// updated by one atomic script on Redis's clock, so requests through any node draw from one bucket.
// When Redis does not answer in time (or is unreachable), this node counts the request in its own
// in-process bucket instead: the limit then holds per node (each node allows N per minute) until
// Redis answers again. A request never waits on Redis for longer than the command timeout.
import { createHash } from "node:crypto";
import { RateLimiter, type RequestRateLimiter } from "../security/rateLimiter.js";

/**
 * KEYS[1]: the client's bucket; ARGV[1]: requests per minute. Returns 0 when the request is allowed,
 * else the whole seconds until one is. The bucket expires once it would have refilled (60 s unused),
 * when it is indistinguishable from a new one.
 */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = capacity / 60000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if bucket[1] then
  tokens = math.min(capacity, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * per_ms)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / per_ms / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

const SCRIPT_SHA = createHash("sha1").update(TOKEN_BUCKET_SCRIPT).digest("hex");

/** What the limiter needs of the Redis connection. */
export interface RedisCommands {
  /** Whether commands can be sent now (connected). */
  readonly ready: boolean;
  /** Sends a command; rejects after the timeout (or at once when disconnected). */
  send(args: string[]): Promise<unknown>;
}

export class RedisRateLimiter implements RequestRateLimiter {
  private readonly local: RateLimiter;

  constructor(
    private readonly redis: RedisCommands,
    private readonly perMinute: number,
    private readonly keyPrefix: string,
    /** Called when Redis failed to answer and the local bucket counted the request. */
    private readonly onFallback: (error: unknown) => void,
  ) {
    this.local = new RateLimiter(perMinute);
  }

  take(client: string): number | Promise<number> {
    if (!this.redis.ready) return this.local.take(client);
    return this.takeShared(`${this.keyPrefix}${client}`).then(
      (wait) => wait,
      (error: unknown) => {
        this.onFallback(error);
        return this.local.take(client);
      },
    );
  }

  private async takeShared(key: string): Promise<number> {
    const args = ["1", key, String(this.perMinute)];
    let reply: unknown;
    try {
      reply = await this.redis.send(["EVALSHA", SCRIPT_SHA, ...args]);
    } catch (error) {
      if (!String(error).includes("NOSCRIPT")) throw error;
      reply = await this.redis.send(["EVAL", TOKEN_BUCKET_SCRIPT, ...args]);
    }
    const wait = Number(reply);
    if (!Number.isFinite(wait)) throw new Error(`unexpected rate limit reply: ${String(reply)}`);
    return wait;
  }
}
