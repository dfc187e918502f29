// Admission, slot assignment and cancellation for every generation: a bounded FIFO queue per
// model, slots that keep their KV cache between requests, and an AbortSignal per request.
import { CancelledError, InvalidInputError, OverloadedError } from "../../errors.js";
import type {
  EngineEvent,
  EngineFinishReason,
  GenerationRequest,
  GenerationUsage,
  RequestOrigin,
} from "../types.js";
import { EventChannel } from "./eventChannel.js";
import { pickSlotByCommonPrefix } from "./pickSlotByCommonPrefix.js";
import type { PreparedRequest, ScheduledModel, ScheduledModels, SlotRun } from "./scheduledModel.js";

export interface SchedulerOptions {
  /** Requests that may wait per model for a free slot; one more is rejected as Overloaded. */
  queueSize: number;
  /** Total time a request may take, queueing included. */
  requestTimeoutMs: number;
  /** Generated tokens per streamed text event after the first (vLLM's --stream-interval); default 1. */
  streamInterval?: number;
  /**
   * Told when an `onEvent` listener throws. A listener only observes: its failure is reported here
   * (default: console.error) and never reaches the generation the event was about.
   */
  onListenerError?: (error: unknown, event: SchedulerEvent) => void;
}

/** Narrows state() and cancel() to the generations one API key started; without it they see all. */
export interface OwnerScope {
  /** The key's id (RequestOrigin's `caller.keyId`). */
  ownerKeyId: string;
}

export interface SlotState {
  index: number;
  busy: boolean;
  requestId?: string;
  cachedTokens: number;
}

export interface ModelSchedulerState {
  model: string;
  slots: SlotState[];
  busySlots: number;
  queued: number;
  queueCapacity: number;
}

export interface SchedulerState {
  models: ModelSchedulerState[];
  busySlots: number;
  totalSlots: number;
  queued: number;
}

export type SchedulerEvent =
  /** A generation was asked for (before validation against the model and admission). */
  | { type: "received"; id: string; model: string; origin?: RequestOrigin }
  | { type: "queued"; id: string; model: string }
  | {
      type: "started";
      id: string;
      model: string;
      slot: number;
      promptTokens: number;
      cachedPromptTokens: number;
    }
  | { type: "tokens"; id: string; model: string; count: number }
  | {
      type: "finished";
      id: string;
      model: string;
      reason: EngineFinishReason | "error" | "rejected";
      usage?: GenerationUsage;
      /** Why it failed, when reason is "error" or "rejected". */
      error?: unknown;
    };

interface Slot {
  index: number;
  requestId?: string;
  contextKey: string;
}

/** An admitted request without a slot: being prepared (no prompt tokens yet), or waiting for a slot. */
interface Waiter {
  id: string;
  contextKey: string;
  /** Undefined while the request is prepared: it cannot take a slot before its prompt is known. */
  promptTokens?: readonly number[];
  cachePrompt: boolean;
  /** Whether its "queued" event was sent. */
  announced: boolean;
  grant: (slot: Slot) => void;
}

/** A waiter's place in its lane, from admission until it has a slot or has left. */
interface Ticket {
  /** Resolves with the slot; rejects when the request is cancelled or waited past its deadline. */
  slot: Promise<Slot>;
  /** Rejects when `slot` does (for racing the preparation); never resolves. */
  left: Promise<never>;
  /** The request is prepared: it takes a slot now or at its turn. */
  ready(promptTokens: readonly number[]): void;
  /** The request turned out invalid while prepared: it leaves the lane. */
  withdraw(error: unknown): void;
}

interface ModelLane {
  model: ScheduledModel;
  slots: Slot[];
  /** Admitted requests without a slot, in arrival order; the first prepared one gets the next free slot. */
  waiters: Waiter[];
}

/** Text a slow consumer has not read yet is delivered as one event. */
function mergeTextEvents(buffered: EngineEvent, next: EngineEvent): EngineEvent | undefined {
  if (buffered.type !== "text" || next.type !== "text" || buffered.channel !== next.channel) return undefined;
  return {
    type: "text",
    channel: buffered.channel,
    text: buffered.text + next.text,
    tokenCount: buffered.tokenCount + next.tokenCount,
    ...(buffered.logprobs || next.logprobs
      ? { logprobs: [...(buffered.logprobs ?? []), ...(next.logprobs ?? [])] }
      : {}),
  };
}

/** What a client should wait before retrying when the queue is full. */
const RETRY_AFTER_SECONDS = 1;

export class Scheduler {
  private readonly lanes = new Map<string, ModelLane>();
  /** In-flight generations by group id (a generation's own id unless it shares a group). */
  private readonly active = new Map<string, Set<AbortController>>();
  private readonly listeners = new Set<(event: SchedulerEvent) => void>();
  /** The API key (its id) that started each in-flight generation, by generation id. */
  private readonly owners = new Map<string, string>();
  /** The same for each in-flight group, for cancel(groupId). */
  private readonly groupOwners = new WeakMap<Set<AbortController>, string>();

  constructor(
    private readonly models: ScheduledModels,
    private readonly options: SchedulerOptions,
  ) {}

  /**
   * Streams one generation. Errors that stop it from starting (unknown model, invalid grammar,
   * full queue, cancellation while queued) are thrown from the first `next()`. Leaving the
   * iteration early, aborting `signal` or `cancel(request.id)` stops generation and frees the slot.
   */
  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterableIterator<EngineEvent> {
    const controller = new AbortController();
    const channel = new EventChannel<EngineEvent>(() => controller.abort(), mergeTextEvents);
    const abort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener("abort", abort, { once: true });
    const groupId = request.groupId ?? request.id;
    const group = this.active.get(groupId) ?? new Set<AbortController>();
    group.add(controller);
    this.active.set(groupId, group);
    const owner = request.origin?.caller?.keyId;
    if (owner !== undefined) {
      this.owners.set(request.id, owner);
      this.groupOwners.set(group, owner);
    }
    this.run(request, controller.signal, channel)
      .then(
        () => channel.end(),
        (error: unknown) => channel.fail(error),
      )
      .finally(() => {
        signal?.removeEventListener("abort", abort);
        this.owners.delete(request.id);
        group.delete(controller);
        if (group.size === 0 && this.active.get(groupId) === group) this.active.delete(groupId);
      });
    return channel;
  }

  /**
   * Aborts the running or queued generations of an id (or group id); false when there is none,
   * or (with `scope`) when another API key started them.
   */
  cancel(id: string, scope?: OwnerScope): boolean {
    const group = this.active.get(id);
    if (group === undefined || (scope !== undefined && this.groupOwners.get(group) !== scope.ownerKeyId))
      return false;
    for (const controller of group) controller.abort();
    return true;
  }

  /** Aborts everything in flight (shutdown). */
  cancelAll(): void {
    for (const group of this.active.values()) for (const controller of group) controller.abort();
  }

  get activeCount(): number {
    let count = 0;
    for (const group of this.active.values()) count += group.size;
    return count;
  }

  /** Slots and queues; with `scope`, only the generations that key started show their ids. */
  state(scope?: OwnerScope): SchedulerState {
    const shows = (requestId: string | undefined) =>
      scope === undefined || (requestId !== undefined && this.owners.get(requestId) === scope.ownerKeyId);
    const models = this.models.list().map((model): ModelSchedulerState => {
      const lane = this.lane(model);
      const slots = lane.slots.map((slot) => ({
        index: slot.index,
        busy: slot.requestId !== undefined,
        requestId: shows(slot.requestId) ? slot.requestId : undefined,
        cachedTokens: model.cachedTokens(slot.contextKey, slot.index).length,
      }));
      return {
        model: model.id,
        slots,
        busySlots: slots.filter((slot) => slot.busy).length,
        queued: this.queuedCount(lane),
        queueCapacity: this.options.queueSize,
      };
    });
    return {
      models,
      busySlots: models.reduce((sum, model) => sum + model.busySlots, 0),
      totalSlots: models.reduce((sum, model) => sum + model.slots.length, 0),
      queued: models.reduce((sum, model) => sum + model.queued, 0),
    };
  }

  onEvent(listener: (event: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async run(request: GenerationRequest, signal: AbortSignal, channel: EventChannel<EngineEvent>) {
    this.emit({ type: "received", id: request.id, model: request.model, origin: request.origin });
    const finished: SchedulerEvent & { type: "finished" } = {
      type: "finished",
      id: request.id,
      model: request.model,
      reason: "rejected",
    };
    try {
      const admitted = await this.admit(request, signal);
      finished.reason = "error";
      try {
        for await (const event of admitted.prepared.generate(admitted.run)) {
          channel.push(event);
          if (event.type === "started") this.emit({ ...event, id: request.id, model: request.model });
          else if (event.type === "text" || event.type === "toolCall")
            this.emit({ type: "tokens", id: request.id, model: request.model, count: event.tokenCount });
          else {
            finished.reason = event.reason;
            finished.usage = event.usage;
          }
        }
      } finally {
        this.release(admitted.lane, admitted.slot);
      }
    } catch (error) {
      finished.error = error;
      throw error;
    } finally {
      this.emit(finished);
    }
  }

  /**
   * Refuses first, then works: the cheap checks and the queue's capacity come before the prompt is
   * rendered and tokenized and its grammars compiled, so a full queue answers at once without that
   * work (which would only add to the overload). The request holds its place in the queue while it
   * is prepared; a prompt that turns out too long, or a grammar that does not compile, takes it out
   * again before it ever takes a slot. Its slot is chosen once its prompt tokens are known (the
   * free slot sharing the longest prefix with them).
   */
  private async admit(request: GenerationRequest, signal: AbortSignal) {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    const model = this.models.get(request.model);
    for (const token of request.sampling.logitBias?.keys() ?? [])
      if (!model.isValidToken(token))
        throw new InvalidInputError("logitBias", `Unknown token id ${token} in logit bias`);
    const contextKey = model.loraContextKey(request.lora);
    const lane = this.lane(model);
    const ticket = this.enqueue(
      lane,
      { id: request.id, contextKey, cachePrompt: request.cachePrompt },
      signal,
      deadline,
    );

    let prepared: PreparedRequest;
    try {
      const preparing = model.prepare(request);
      // When the request leaves first (cancelled, timed out), what the preparation ends with is nobody's.
      preparing.catch(() => undefined);
      prepared = await Promise.race([preparing, ticket.left]);
      if (prepared.promptTokens.length >= model.contextSize)
        throw new InvalidInputError(
          request.prompt.kind === "chat" ? "messages" : "prompt",
          `The prompt is ${prepared.promptTokens.length} tokens, which does not fit the context size of ${model.contextSize} tokens`,
        );
    } catch (error) {
      ticket.withdraw(error);
      throw error;
    }

    const queuedAt = performance.now();
    ticket.ready(prepared.promptTokens);
    const slot = await ticket.slot;
    const run: SlotRun = {
      slot: slot.index,
      contextKey,
      busyContextKeys: () => this.busyContextKeys(lane),
      request,
      signal,
      deadline,
      queueMs: performance.now() - queuedAt,
      streamInterval: this.options.streamInterval ?? 1,
    };
    return { lane, slot, prepared, run };
  }

  /**
   * Takes a place in the lane's queue, or refuses: Cancelled when the signal has aborted, Overloaded
   * when more requests are already waiting for a slot than the queue holds.
   */
  private enqueue(
    lane: ModelLane,
    entry: Pick<Waiter, "id" | "contextKey" | "cachePrompt">,
    signal: AbortSignal,
    deadline: number,
  ): Ticket {
    if (signal.aborted) throw new CancelledError();
    if (this.queuedCount(lane) >= this.options.queueSize) throw new OverloadedError(RETRY_AFTER_SECONDS);
    let resolveSlot!: (slot: Slot) => void;
    let rejectSlot!: (error: unknown) => void;
    const slot = new Promise<Slot>((resolve, reject) => {
      resolveSlot = resolve;
      rejectSlot = reject;
    });
    // A withdrawn request's rejection is nobody's; an awaited one still reaches its caller.
    slot.catch(() => undefined);
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const leave = (error: unknown) => {
      settle();
      const index = lane.waiters.indexOf(waiter);
      if (index >= 0) lane.waiters.splice(index, 1);
      rejectSlot(error);
    };
    const onAbort = () => leave(new CancelledError());
    const timer = setTimeout(
      () => leave(new OverloadedError(RETRY_AFTER_SECONDS, "queueTimeout")),
      Math.max(0, deadline - Date.now()),
    );
    const waiter: Waiter = {
      ...entry,
      announced: false,
      grant: (granted) => {
        settle();
        resolveSlot(granted);
      },
    };
    signal.addEventListener("abort", onAbort, { once: true });
    lane.waiters.push(waiter);
    // No free slot is left for it: it waits (and counts as queued) from now on.
    if (this.queuedCount(lane) > 0) this.announce(lane, waiter);
    return {
      slot,
      left: slot.then(() => new Promise<never>(() => undefined)),
      ready: (promptTokens) => {
        if (!lane.waiters.includes(waiter)) return;
        waiter.promptTokens = promptTokens;
        this.dispatch(lane);
        if (lane.waiters.includes(waiter)) this.announce(lane, waiter);
      },
      withdraw: leave,
    };
  }

  private announce(lane: ModelLane, waiter: Waiter): void {
    if (waiter.announced) return;
    waiter.announced = true;
    this.emit({ type: "queued", id: waiter.id, model: lane.model.id });
  }

  /** Admitted requests that have no slot and no free slot left for them (at most the queue size). */
  private queuedCount(lane: ModelLane): number {
    return Math.max(0, lane.waiters.length - this.freeSlots(lane).length);
  }

  /** Gives free slots to prepared waiters, first come first served. */
  private dispatch(lane: ModelLane): void {
    while (this.freeSlots(lane).length > 0) {
      const next = lane.waiters.find((waiter) => waiter.promptTokens !== undefined);
      if (!next?.promptTokens) return;
      lane.waiters.splice(lane.waiters.indexOf(next), 1);
      next.grant(this.assign(lane, next, next.promptTokens));
    }
  }

  private assign(lane: ModelLane, waiter: Waiter, promptTokens: readonly number[]): Slot {
    const index = pickSlotByCommonPrefix(
      this.freeSlots(lane).map((slot) => slot.index),
      (slot) => lane.model.cachedTokens(waiter.contextKey, slot),
      promptTokens,
      waiter.cachePrompt,
    );
    const slot = lane.slots[index];
    slot.requestId = waiter.id;
    slot.contextKey = waiter.contextKey;
    return slot;
  }

  private release(lane: ModelLane, slot: Slot): void {
    slot.requestId = undefined;
    this.dispatch(lane);
  }

  private freeSlots(lane: ModelLane): Slot[] {
    return lane.slots.filter((slot) => slot.requestId === undefined);
  }

  private busyContextKeys(lane: ModelLane): Set<string> {
    return new Set(lane.slots.filter((slot) => slot.requestId !== undefined).map((slot) => slot.contextKey));
  }

  private lane(model: ScheduledModel): ModelLane {
    let lane = this.lanes.get(model.id);
    if (!lane) {
      const slots = Array.from({ length: model.slots }, (_, index) => ({ index, contextKey: "" }));
      lane = { model, slots, waiters: [] };
      this.lanes.set(model.id, lane);
    }
    return lane;
  }

  private emit(event: SchedulerEvent): void {
    for (const listener of this.listeners)
      try {
        listener(event);
      } catch (error) {
        this.reportListenerError(error, event);
      }
  }

  private reportListenerError(error: unknown, event: SchedulerEvent): void {
    try {
      if (this.options.onListenerError) this.options.onListenerError(error, event);
      else console.error(`scheduler: a listener of '${event.type}' events failed`, error);
    } catch {
      // Reporting must not fail the generation either.
    }
  }
}
