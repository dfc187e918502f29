// Admission, slot assignment and cancellation for every generation: a bounded FIFO queue per
// model, slots that keep their KV cache between requests, and an AbortSignal per request.
import type { Token } from "node-llama-cpp";
import { CancelledError, InvalidInputError, OverloadedError } from "../../errors.js";
import { generateOnSequence } from "../engine/generateOnSequence.js";
import type { LoadedModel } from "../engine/loadedModel.js";
import { prepareGeneration } from "../engine/prepareGeneration.js";
import type { ModelRegistry } from "../modelRegistry.js";
import type {
  EngineEvent,
  EngineFinishReason,
  GenerationRequest,
  GenerationUsage,
  RequestOrigin,
} from "../types.js";
import { EventChannel } from "./eventChannel.js";
import { pickSlotByCommonPrefix } from "./pickSlotByCommonPrefix.js";

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

interface Waiter {
  id: string;
  contextKey: string;
  promptTokens: readonly Token[];
  cachePrompt: boolean;
  grant: (slot: Slot) => void;
}

interface ModelLane {
  model: LoadedModel;
  slots: Slot[];
  queue: Waiter[];
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

  constructor(
    private readonly registry: ModelRegistry,
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
    this.run(request, controller.signal, channel)
      .then(
        () => channel.end(),
        (error: unknown) => channel.fail(error),
      )
      .finally(() => {
        signal?.removeEventListener("abort", abort);
        group.delete(controller);
        if (group.size === 0 && this.active.get(groupId) === group) this.active.delete(groupId);
      });
    return channel;
  }

  /** Aborts the running or queued generations of an id (or group id); false when there is none. */
  cancel(id: string): boolean {
    const group = this.active.get(id);
    for (const controller of group ?? []) controller.abort();
    return group !== undefined;
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

  state(): SchedulerState {
    const models = this.registry.list().map((model): ModelSchedulerState => {
      const lane = this.lane(model);
      const slots = lane.slots.map((slot) => ({
        index: slot.index,
        busy: slot.requestId !== undefined,
        requestId: slot.requestId,
        cachedTokens: model.cachedTokens(slot.contextKey, slot.index).length,
      }));
      return {
        model: model.id,
        slots,
        busySlots: slots.filter((slot) => slot.busy).length,
        queued: lane.queue.length,
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
        for await (const event of generateOnSequence({
          ...admitted.generation,
          request,
          signal,
          streamInterval: this.options.streamInterval ?? 1,
        })) {
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

  /** Validates the request against its model, then waits for a slot (or rejects). */
  private async admit(request: GenerationRequest, signal: AbortSignal) {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    const model = this.registry.get(request.model);
    const prepared = await prepareGeneration(model, request);
    const { promptTokens } = prepared;
    if (promptTokens.length >= model.contextSize)
      throw new InvalidInputError(
        request.prompt.kind === "chat" ? "messages" : "prompt",
        `The prompt is ${promptTokens.length} tokens, which does not fit the context size of ${model.contextSize} tokens`,
      );
    for (const token of request.sampling.logitBias?.keys() ?? [])
      if (!model.isValidToken(token))
        throw new InvalidInputError("logitBias", `Unknown token id ${token} in logit bias`);
    const contextKey = model.loraContextKey(request.lora);

    const queuedAt = performance.now();
    const lane = this.lane(model);
    const slot = await this.acquire(
      lane,
      { id: request.id, contextKey, promptTokens, cachePrompt: request.cachePrompt },
      signal,
      deadline,
    );
    try {
      const sequence = await model.sequence(contextKey, slot.index, () => this.busyContextKeys(lane));
      const queueMs = performance.now() - queuedAt;
      const generation = { ...prepared, model, slot: slot.index, sequence, deadline, queueMs };
      return { lane, slot, generation };
    } catch (error) {
      this.release(lane, slot);
      throw error;
    }
  }

  private acquire(
    lane: ModelLane,
    waiter: Omit<Waiter, "grant">,
    signal: AbortSignal,
    deadline: number,
  ): Promise<Slot> {
    if (signal.aborted) return Promise.reject(new CancelledError());
    if (lane.queue.length === 0 && this.freeSlots(lane).length > 0)
      return Promise.resolve(this.assign(lane, waiter));
    if (lane.queue.length >= this.options.queueSize) {
      return Promise.reject(new OverloadedError(RETRY_AFTER_SECONDS));
    }
    return new Promise<Slot>((resolve, reject) => {
      const leave = (error: Error) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        const index = lane.queue.indexOf(queued);
        if (index >= 0) lane.queue.splice(index, 1);
        reject(error);
      };
      const onAbort = () => leave(new CancelledError());
      const timer = setTimeout(
        () => leave(new OverloadedError(RETRY_AFTER_SECONDS)),
        Math.max(0, deadline - Date.now()),
      );
      const queued: Waiter = {
        ...waiter,
        grant: (slot) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          resolve(slot);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      lane.queue.push(queued);
      this.emit({ type: "queued", id: waiter.id, model: lane.model.id });
    });
  }

  private assign(lane: ModelLane, waiter: Omit<Waiter, "grant">): Slot {
    const index = pickSlotByCommonPrefix(
      this.freeSlots(lane).map((slot) => slot.index),
      (slot) => lane.model.cachedTokens(waiter.contextKey, slot),
      waiter.promptTokens,
      waiter.cachePrompt,
    );
    const slot = lane.slots[index];
    slot.requestId = waiter.id;
    slot.contextKey = waiter.contextKey;
    return slot;
  }

  private release(lane: ModelLane, slot: Slot): void {
    slot.requestId = undefined;
    while (lane.queue.length > 0 && this.freeSlots(lane).length > 0) {
      const next = lane.queue.shift()!;
      next.grant(this.assign(lane, next));
    }
  }

  private freeSlots(lane: ModelLane): Slot[] {
    return lane.slots.filter((slot) => slot.requestId === undefined);
  }

  private busyContextKeys(lane: ModelLane): Set<string> {
    return new Set(lane.slots.filter((slot) => slot.requestId !== undefined).map((slot) => slot.contextKey));
  }

  private lane(model: LoadedModel): ModelLane {
    let lane = this.lanes.get(model.id);
    if (!lane) {
      const slots = Array.from({ length: model.slots }, (_, index) => ({ index, contextKey: "" }));
      lane = { model, slots, queue: [] };
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
