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
import {
  type PreparedRequest,
  type ScheduledModel,
  type ScheduledModels,
  SlotFailedError,
  type SlotRun,
} from "./scheduledModel.js";

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
  request: GenerationRequest;
  contextKey: string;
  /** Undefined while the request is prepared: it cannot take a slot before its prompt is known. */
  prepared?: PreparedRequest;
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
  ready(prepared: PreparedRequest): void;
  /** The request turned out invalid while prepared: it leaves the lane. */
  withdraw(error: unknown): void;
}

interface ModelLane {
  model: ScheduledModel;
  slots: Slot[];
  /** Admitted requests without a slot, in arrival order; the first prepared one gets the next free slot. */
  waiters: Waiter[];
}

interface Admitted {
  lane: ModelLane;
  slot: Slot;
  prepared: PreparedRequest;
  run: SlotRun;
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
  /** When the last generation left the scheduler (performance.now()); none yet: -Infinity. */
  private lastEndedAt = Number.NEGATIVE_INFINITY;

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
        this.lastEndedAt = performance.now();
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

  /**
   * Milliseconds since the last generation ended (its events all handed to its stream); Infinity when
   * none has.
   */
  get msSinceLastEnd(): number {
    return performance.now() - this.lastEndedAt;
  }

  /** The API key id that started a running or queued generation; undefined without API keys or when there is none. */
  ownerOf(requestId: string): string | undefined {
    return this.owners.get(requestId);
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
      let admitted = await this.admit(request, signal);
      finished.reason = "error";
      // A slot that fails before its first output (SlotFailedError: a replica that refused, or died
      // after opening its answer) is given back, and the request takes another at the head of the
      // queue; at most once per slot. The consumer sees one "started", the first slot's.
      let startedSent = false;
      for (let attempt = 1; ; attempt++) {
        let produced = false;
        try {
          for await (const event of admitted.prepared.generate(admitted.run)) {
            if (event.type === "started") {
              if (!startedSent) channel.push(event);
              startedSent = true;
              this.emit({ ...event, id: request.id, model: request.model });
              continue;
            }
            produced = true;
            channel.push(event);
            if (event.type === "text" || event.type === "toolCall")
              this.emit({ type: "tokens", id: request.id, model: request.model, count: event.tokenCount });
            else {
              finished.reason = event.reason;
              finished.usage = event.usage;
            }
          }
          break;
        } catch (error) {
          if (!(error instanceof SlotFailedError)) throw error;
          if (produced || signal.aborted || attempt >= admitted.lane.slots.length) throw error.reason;
        } finally {
          this.release(admitted.lane, admitted.slot);
        }
        admitted = await this.readmit(admitted, signal);
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
    const ticket = this.enqueue(lane, { id: request.id, request, contextKey }, signal, deadline);

    let prepared: PreparedRequest;
    try {
      const preparing = model.prepare(request);
      // When the request leaves first (cancelled, timed out), what the preparation ends with is nobody's.
      preparing.catch(() => undefined);
      prepared = await Promise.race([preparing, ticket.left]);
      if (
        prepared.promptTokens !== undefined &&
        model.contextSize !== undefined &&
        prepared.promptTokens >= model.contextSize
      )
        throw new InvalidInputError(
          request.prompt.kind === "chat" ? "messages" : "prompt",
          `The prompt is ${prepared.promptTokens} tokens, which does not fit the context size of ${model.contextSize} tokens`,
        );
    } catch (error) {
      ticket.withdraw(error);
      throw error;
    }

    const queuedAt = performance.now();
    ticket.ready(prepared);
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

  /** A request whose slot failed before its first event waits for another at the head of the queue. */
  private async readmit(admitted: Admitted, signal: AbortSignal): Promise<Admitted> {
    const { lane, prepared, run } = admitted;
    const ticket = this.enqueue(
      lane,
      { id: run.request.id, request: run.request, contextKey: run.contextKey },
      signal,
      run.deadline,
      true,
    );
    const queuedAt = performance.now();
    ticket.ready(prepared);
    const slot = await ticket.slot;
    return {
      lane,
      slot,
      prepared,
      run: { ...run, slot: slot.index, queueMs: run.queueMs + performance.now() - queuedAt },
    };
  }

  /**
   * Takes a place in the lane's queue, or refuses: Cancelled when the signal has aborted, Overloaded
   * when more requests are already waiting for a slot than the queue holds.
   */
  private enqueue(
    lane: ModelLane,
    entry: Pick<Waiter, "id" | "request" | "contextKey">,
    signal: AbortSignal,
    deadline: number,
    /** A retry: it goes first and is not refused for a full queue (it was admitted already). */
    retry = false,
  ): Ticket {
    if (signal.aborted) throw new CancelledError();
    if (!retry && this.queuedCount(lane) >= this.options.queueSize)
      throw new OverloadedError(RETRY_AFTER_SECONDS);
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
    if (retry) lane.waiters.unshift(waiter);
    else lane.waiters.push(waiter);
    // No free slot is left for it: it waits (and counts as queued) from now on.
    if (this.queuedCount(lane) > 0) this.announce(lane, waiter);
    return {
      slot,
      left: slot.then(() => new Promise<never>(() => undefined)),
      ready: (prepared) => {
        if (!lane.waiters.includes(waiter)) return;
        waiter.prepared = prepared;
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

  /**
   * Gives free slots to prepared waiters, first come first served; one the model will not place on
   * any free slot (a remote model's request that already failed on the only free replica) waits on.
   */
  private dispatch(lane: ModelLane): void {
    let index = 0;
    while (index < lane.waiters.length) {
      const free = this.freeSlots(lane);
      if (free.length === 0) return;
      const waiter = lane.waiters[index];
      const slot = waiter.prepared && this.pick(lane, waiter, waiter.prepared, free);
      if (slot === undefined) {
        index++;
        continue;
      }
      lane.waiters.splice(index, 1);
      waiter.grant(this.assign(lane, waiter, slot));
    }
  }

  private pick(lane: ModelLane, waiter: Waiter, prepared: PreparedRequest, free: Slot[]): number | undefined {
    const indexes = free.map((slot) => slot.index);
    if (lane.model.pickSlot) return lane.model.pickSlot(indexes, prepared, waiter.request);
    return pickSlotByCommonPrefix(
      indexes,
      (slot) => lane.model.cachedTokens(waiter.contextKey, slot),
      prepared.prefix,
      waiter.request.cachePrompt,
    );
  }

  private assign(lane: ModelLane, waiter: Waiter, index: number): Slot {
    const slot = lane.slots[index];
    slot.requestId = waiter.id;
    slot.contextKey = waiter.contextKey;
    return slot;
  }

  private release(lane: ModelLane, slot: Slot): void {
    slot.requestId = undefined;
    this.dispatch(lane);
  }

  /** Slots without a generation that the model may grant now. */
  private freeSlots(lane: ModelLane): Slot[] {
    const usable = lane.model.isSlotUsable?.bind(lane.model) ?? (() => true);
    return lane.slots.filter((slot) => slot.requestId === undefined && usable(slot.index));
  }

  private busyContextKeys(lane: ModelLane): Set<string> {
    return new Set(lane.slots.filter((slot) => slot.requestId !== undefined).map((slot) => slot.contextKey));
  }

  private lane(model: ScheduledModel): ModelLane {
    let lane = this.lanes.get(model.id);
    if (!lane) {
      const slots = Array.from({ length: model.slots }, (_, index) => ({ index, contextKey: "" }));
      const created: ModelLane = { model, slots, waiters: [] };
      lane = created;
      this.lanes.set(model.id, lane);
      model.onSlotsChanged?.(() => this.dispatch(created));
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
