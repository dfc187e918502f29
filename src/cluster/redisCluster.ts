// Many inferql nodes sharing what must be shared through Redis (`--redis URL`): the rate limit
// (redisRateLimiter.ts), cancellation by id from any node, and the fleet view (every live node's
// slots and queues). Each node stays stateless and serves on its own when Redis is away:
//
// - Fleet view: each node publishes its scheduler state on `<prefix>:fleet` when it changes
//   (coalesced) and every heartbeat; the others keep the last one in memory, so reading the fleet's
//   state never waits on Redis. An entry not refreshed within the TTL (a node that died, or Redis
//   gone) is dropped; a node that stops announces it leaves. A node that (re)joins says hello and the
//   others answer with their state at once.
// - Cancellation: a node that does not run a generation publishes the request on `<prefix>:cancel`;
//   the nodes answer on this node's reply channel whether they cancelled it (their own scheduler
//   applies the tenancy scope passed along). It settles on the first yes, once every node that got
//   the request said no, or after a timeout.
// - Redis away: commands are not queued (they fail at once), a warning is logged once per outage and
//   an info line when Redis is back. Rate limits fall back to per-node buckets, cancellation to this
//   node's generations, the fleet view to this node once the others' entries expire.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { createClient } from "redis";
import type { OwnerScope, Scheduler } from "../inference/scheduler/scheduler.js";
import type { Fleet, PeerModelState, PeerState } from "../resolvers/fleet.js";
import type { RequestRateLimiter } from "../security/rateLimiter.js";
import { type RedisCommands, RedisRateLimiter } from "./redisRateLimiter.js";

export interface RedisClusterOptions {
  url: string;
  nodeId: string;
  scheduler: Pick<Scheduler, "state" | "ownerOf" | "onEvent" | "cancel">;
  logger: Logger;
  /** How long a node's entry lives without a heartbeat (default 5 s; `--node-ttl`). */
  ttlMs?: number;
  /** How often a node republishes its state and drops expired entries (default a fifth of ttlMs). */
  heartbeatMs?: number;
  /** The longest a request waits for one Redis command (default 500 ms). */
  commandTimeoutMs?: number;
  /** The longest cancelGeneration waits for the other nodes' answers (default 1 s). */
  cancelTimeoutMs?: number;
  /**
   * How long start() waits for the first connection before serving without it (default 2 s); a
   * connection error ends the wait sooner.
   */
  connectWaitMs?: number;
  /** Prefix of every key and channel (default `inferql`). */
  prefix?: string;
}

/** State changes of the same burst are published once, this long after the first. */
const COALESCE_MS = 20;
/** A degraded-mode warning (Redis slow while connected) is repeated at most this often. */
const WARN_EVERY_MS = 60_000;

interface Peer {
  state: PeerState;
  json: string;
  expiresAt: number;
}

type FleetMessage =
  | { type: "state"; node: string; instance: string; ttlMs: number; models: PeerModelState[] }
  | { type: "hello"; node: string; instance: string }
  | { type: "leave"; node: string; instance: string };

interface CancelRequest {
  ref: string;
  instance: string;
  id: string;
  scope: OwnerScope | null;
}

export class RedisCluster implements Fleet {
  private readonly commands;
  private readonly subscriber;
  private readonly instance = randomUUID();
  private readonly peersById = new Map<string, Peer>();
  private readonly listeners = new Set<() => void>();
  private readonly pendingCancels = new Map<string, (cancelled: boolean) => void>();
  private readonly channels;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly commandTimeoutMs: number;
  private readonly cancelTimeoutMs: number;
  private readonly logger: Logger;
  private readonly unsubscribeScheduler: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private publishTimer?: NodeJS.Timeout;
  private outage = false;
  private warnedAt = Number.NEGATIVE_INFINITY;
  private duplicateWarned = false;
  private closed = false;

  static async start(options: RedisClusterOptions): Promise<RedisCluster> {
    const cluster = new RedisCluster(options);
    await cluster.connect(options.connectWaitMs ?? 2000);
    return cluster;
  }

  private constructor(private readonly options: RedisClusterOptions) {
    const prefix = options.prefix ?? "inferql";
    this.channels = {
      fleet: `${prefix}:fleet`,
      cancel: `${prefix}:cancel`,
      reply: `${prefix}:cancel-reply:${this.instance}`,
      rateLimitKeyPrefix: `${prefix}:ratelimit:`,
    };
    this.ttlMs = options.ttlMs ?? 5000;
    this.heartbeatMs = options.heartbeatMs ?? this.ttlMs / 5;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 1000;
    this.logger = options.logger.child({ component: "redis", nodeId: options.nodeId });
    // Never queue commands while disconnected: a request must not wait for Redis to come back.
    // Reconnection never gives up (every 2 s at most).
    this.commands = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
    });
    // The subscriber's commands (SUBSCRIBE) may wait for the connection: nothing waits on them.
    this.subscriber = this.commands.duplicate({ disableOfflineQueue: false });
    this.commands.on("error", (error: unknown) => this.onConnectionError(error));
    this.commands.on("ready", () => this.onConnectionReady());
    this.subscriber.on("error", (error: unknown) =>
      this.logger.debug({ err: error }, "redis subscriber connection error"),
    );
    // After every (re)connection, hello makes the others publish their state now.
    this.subscriber.on("ready", () =>
      this.publish({ type: "hello", node: options.nodeId, instance: this.instance }),
    );
    this.unsubscribeScheduler = options.scheduler.onEvent((event) => {
      if (event.type !== "tokens" && event.type !== "received") this.schedulePublish();
    });
    this.heartbeat = setInterval(() => {
      this.publishState();
      this.expirePeers();
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** The node's id in the fleet view. */
  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Whether Redis answers commands now. */
  get connected(): boolean {
    return this.commands.isReady;
  }

  /** A rate limiter shared with every node (per-node buckets while Redis is away). */
  rateLimiter(perMinute: number): RequestRateLimiter {
    const redis: RedisCommands = {
      get ready() {
        return redisReady();
      },
      send: (args) => this.withTimeout(this.commands.sendCommand(args)),
    };
    const redisReady = () => this.commands.isReady;
    return new RedisRateLimiter(redis, perMinute, this.channels.rateLimitKeyPrefix, (error) =>
      this.warnDegraded(error, "rate limit counted on this node only: Redis did not answer"),
    );
  }

  peers(): readonly PeerState[] {
    this.expirePeers();
    return [...this.peersById.values()]
      .map((peer) => peer.state)
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancelElsewhere(id: string, scope: OwnerScope | undefined): Promise<boolean> {
    if (this.closed || !this.commands.isReady || !this.subscriber.isReady) return Promise.resolve(false);
    const ref = randomUUID();
    return new Promise<boolean>((resolve) => {
      let expected = Number.POSITIVE_INFINITY;
      let noes = 0;
      const finish = (cancelled: boolean) => {
        if (!this.pendingCancels.delete(ref)) return;
        clearTimeout(timer);
        resolve(cancelled);
      };
      const timer = setTimeout(() => finish(false), this.cancelTimeoutMs);
      this.pendingCancels.set(ref, (cancelled) => {
        if (cancelled) finish(true);
        else if (++noes >= expected) finish(false);
      });
      const request: CancelRequest = { ref, instance: this.instance, id, scope: scope ?? null };
      this.withTimeout(this.commands.publish(this.channels.cancel, JSON.stringify(request))).then(
        (receivers) => {
          // Every node's subscriber got it, this one's included (it does not answer itself).
          expected = Number(receivers) - 1;
          if (noes >= expected) finish(false);
        },
        (error: unknown) => {
          this.warnDegraded(error, "cancellation reached this node only: Redis did not answer");
          finish(false);
        },
      );
    });
  }

  /** Says this node leaves (its entry disappears from the others' view at once) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.publishTimer);
    this.unsubscribeScheduler();
    for (const settle of [...this.pendingCancels.values()]) settle(false);
    if (this.commands.isReady)
      await this.withTimeout(
        this.commands.publish(
          this.channels.fleet,
          JSON.stringify({ type: "leave", node: this.nodeId, instance: this.instance }),
        ),
      ).catch(() => undefined);
    for (const client of [this.subscriber, this.commands]) {
      try {
        client.destroy();
      } catch {
        // Never connected, or already gone.
      }
    }
    this.listeners.clear();
  }

  private async connect(waitMs: number): Promise<void> {
    const connected = Promise.all([
      this.commands.connect(),
      this.subscriber.connect(),
      this.subscriber.subscribe(this.channels.fleet, (message) => this.onFleetMessage(message)),
      this.subscriber.subscribe(this.channels.cancel, (message) => this.onCancelRequest(message)),
      this.subscriber.subscribe(this.channels.reply, (message) => this.onCancelReply(message)),
    ]);
    // Until Redis answers the node serves on its own; the clients keep reconnecting in the background.
    connected.catch(() => undefined);
    // A connection refused or lost on the way ends the wait at once: the node serves on its own
    // without first waiting out `waitMs`. (The losers' later rejections are Promise.race's.)
    const waiting = new AbortController();
    await Promise.race([
      connected,
      delay(waitMs, undefined, { signal: waiting.signal }),
      once(this.commands, "error", { signal: waiting.signal }),
    ]).catch(() => undefined);
    waiting.abort();
    if (this.commands.isReady) {
      this.logger.info(
        { redis: redactedUrl(this.options.url) },
        "redis: connected, sharing state with the fleet",
      );
      this.publishState();
    }
  }

  private onConnectionError(error: unknown): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    this.logger.warn(
      { err: error, redis: redactedUrl(this.options.url) },
      "redis unreachable: serving on; until it is back, rate limits are counted per node, cancellation reaches this node's generations only, and the fleet view shows this node only",
    );
  }

  private onConnectionReady(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.info(
      { redis: redactedUrl(this.options.url) },
      "redis reachable again: sharing state with the fleet",
    );
    this.publishState();
  }

  private warnDegraded(error: unknown, message: string): void {
    const now = performance.now();
    if (this.outage || now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.logger.warn({ err: error }, message);
  }

  private schedulePublish(): void {
    if (this.publishTimer !== undefined || this.closed) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      this.publishState();
    }, COALESCE_MS);
    this.publishTimer.unref();
  }

  private publishState(): void {
    const scheduler = this.options.scheduler;
    const models = scheduler.state().models.map(
      (model): PeerModelState => ({
        ...model,
        slots: model.slots.map((slot) => ({
          ...slot,
          ownerKeyId: slot.requestId === undefined ? undefined : scheduler.ownerOf(slot.requestId),
        })),
      }),
    );
    this.publish({ type: "state", node: this.nodeId, instance: this.instance, ttlMs: this.ttlMs, models });
  }

  private publish(message: FleetMessage): void {
    if (this.closed || !this.commands.isReady) return;
    this.withTimeout(this.commands.publish(this.channels.fleet, JSON.stringify(message))).catch(
      (error: unknown) => this.logger.debug({ err: error }, "redis: publishing the node's state failed"),
    );
  }

  private onFleetMessage(raw: string): void {
    const message = parseJson(raw) as Partial<FleetMessage> | undefined;
    if (!message || typeof message.node !== "string" || message.instance === this.instance) return;
    if (message.node === this.nodeId) {
      if (!this.duplicateWarned)
        this.logger.warn({ nodeId: this.nodeId }, "redis: another node uses this node id (--node-id)");
      this.duplicateWarned = true;
      return;
    }
    if (message.type === "hello") this.publishState();
    else if (message.type === "leave") {
      if (this.peersById.delete(message.node)) this.notify();
    } else if (message.type === "state" && Array.isArray(message.models)) {
      const json = JSON.stringify(message.models);
      const previous = this.peersById.get(message.node);
      const ttlMs = typeof message.ttlMs === "number" && message.ttlMs > 0 ? message.ttlMs : this.ttlMs;
      this.peersById.set(message.node, {
        state: { nodeId: message.node, models: message.models },
        json,
        expiresAt: performance.now() + ttlMs,
      });
      if (previous?.json !== json) this.notify();
    }
  }

  private onCancelRequest(raw: string): void {
    const request = parseJson(raw) as Partial<CancelRequest> | undefined;
    if (!request || request.instance === this.instance || typeof request.id !== "string") return;
    if (typeof request.ref !== "string" || typeof request.instance !== "string") return;
    const scope =
      request.scope && typeof request.scope.ownerKeyId === "string"
        ? { ownerKeyId: request.scope.ownerKeyId }
        : undefined;
    const cancelled = this.options.scheduler.cancel(request.id, scope);
    if (!this.commands.isReady) return;
    const reply = JSON.stringify({ ref: request.ref, cancelled });
    this.withTimeout(this.commands.publish(`${this.channels.cancel}-reply:${request.instance}`, reply)).catch(
      (error: unknown) => this.logger.debug({ err: error }, "redis: answering a cancel request failed"),
    );
  }

  private onCancelReply(raw: string): void {
    const reply = parseJson(raw) as { ref?: unknown; cancelled?: unknown } | undefined;
    if (typeof reply?.ref === "string") this.pendingCancels.get(reply.ref)?.(reply.cancelled === true);
  }

  private expirePeers(): void {
    const now = performance.now();
    let changed = false;
    for (const [node, peer] of this.peersById)
      if (peer.expiresAt <= now) {
        this.peersById.delete(node);
        changed = true;
      }
    if (changed) this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, "redis: a fleet listener failed");
      }
    }
  }

  /** Rejects when Redis has not answered within the command timeout (the command may still complete). */
  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis did not answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}
