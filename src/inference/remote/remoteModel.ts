// A model served by OpenAI-compatible replicas (another inferql, llama-server, vLLM): the
// ScheduledModel a remote upstream is. Its slots are the replicas' concurrency limits (slot i runs on
// replica ⌊i / slots⌋), so the scheduler's queue, 429 and cancellation hold for it as for local slots.
// It routes among replicas (pickSlot: prefix affinity, else least outstanding), ejects replicas that
// fail or hang and restores them when a health probe answers, retries a request that produced nothing
// on another replica (SlotFailedError), and aborts the upstream request when its generation is cancelled.
// Embeddings, reranking, the tokenizer and the chat template go to a replica the same way (least
// outstanding, failures ejected and retried), outside the slots, as a local model's are.
import { createParser } from "eventsource-parser";
import type { Logger } from "pino";
import {
  InvalidInputError,
  ModelNotReadyError,
  OverloadedError,
  UpstreamTimeoutError,
} from "../../errors.js";
import type { ModelInfo } from "../engine/loadedModel.js";
import {
  type PreparedRequest,
  type ScheduledModel,
  SlotFailedError,
  type SlotRun,
} from "../scheduler/scheduledModel.js";
import type { ChatPrompt, EngineEvent, GenerationRequest, LoraSelection } from "../types.js";
import {
  type EmbeddingsWireInput,
  toDetokenizeRequest,
  toEmbeddingsRequest,
  toLoraFields,
  toOpenAiRequest,
  toRenderChatRequest,
  toRerankRequest,
  toTokenizeRequest,
  type UpstreamLoraAdapter,
} from "./openAiRequest.js";
import { promptPrefixHashes } from "./prefixAffinity.js";
import { ReplicaRouter } from "./replicaRouter.js";
import {
  type ModelDescription,
  readApplyTemplateAnswer,
  readDetokenizeAnswer,
  readEmbeddingsAnswer,
  readLoraAdaptersAnswer,
  readModelsAnswer,
  readRerankAnswer,
  readTokenizeAnswer,
  readVllmTokenizeAnswer,
  type TokenizedPiece,
} from "./upstreamAnswers.js";
import { drainToPool, postStream, readText, UpstreamConnectError } from "./upstreamHttp.js";
import {
  fromLlamaServerChunk,
  type LlamaServerChunk,
  UpstreamOutput,
  UpstreamStreamError,
  type WireChunk,
} from "./upstreamOutput.js";
import type { UpstreamSpec } from "./upstreamSpec.js";
import { retryAfterOf, UpstreamStatusError } from "./upstreamStatusError.js";

/** A replica as /metrics reports it. */
export interface ReplicaState {
  label: string;
  healthy: boolean;
  outstanding: number;
}

/** How one attempt on a replica ended. */
export type UpstreamOutcome = "ok" | "cancelled" | "timeout" | "error" | "retried";
/** Why a replica failed a request (a bounded label). */
export type UpstreamErrorKind = "connect" | "hang" | "status" | "stream" | "upstream";

export type UpstreamEvent =
  | {
      type: "attempt";
      upstream: string;
      replica: string;
      outcome: UpstreamOutcome;
      errorKind?: UpstreamErrorKind;
      seconds: number;
      firstTokenSeconds?: number;
    }
  | { type: "ejected"; upstream: string; replica: string; reason: string }
  | { type: "restored"; upstream: string; replica: string };

interface Replica {
  index: number;
  /** Base URL, without a trailing slash or `/v1`. */
  base: string;
  /** Its label in metrics and logs: the configured URL's origin. */
  label: string;
  healthy: boolean;
  probing: boolean;
}

/** A failure of one attempt, classified. */
interface Fault {
  kind: UpstreamErrorKind;
  message: string;
  /** The replica is taken out of rotation until a probe answers. */
  ejects: boolean;
  /** Another replica may serve the request (when nothing was produced yet). */
  retryable: boolean;
  /** What the client gets when no other replica can: a domain error, or a plain one (500). */
  final: Error;
}

const PROBE_TIMEOUT_MS = 5000;

const NOTHING_DESCRIBED: ModelDescription = {
  contextSize: 0,
  trainContextSize: 0,
  embeddingSize: 0,
  sizeBytes: 0,
};

export class RemoteModel implements ScheduledModel {
  readonly slots: number;
  private readonly replicas: Replica[];
  private readonly router: ReplicaRouter;
  /** What each prepared request needs for routing: its prefix, and the replicas it failed on. */
  private readonly routing = new WeakMap<PreparedRequest, { tried: Set<number> }>();
  private readonly slotListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: UpstreamEvent) => void>();
  private healthTimer?: NodeJS.Timeout;

  constructor(
    readonly spec: UpstreamSpec,
    private readonly logger?: Logger,
  ) {
    this.replicas = spec.replicas.map((url, index) => {
      const base = url.replace(/\/+$/, "").replace(/\/v1$/, "");
      return { index, base, label: new URL(base).origin, healthy: true, probing: false };
    });
    this.slots = spec.slots * this.replicas.length;
    this.router = new ReplicaRouter({ slotsPerReplica: spec.slots, replicas: this.replicas.length });
  }

  get id(): string {
    return this.spec.id;
  }

  /** The name the replicas know the model by (`model=`, else the id). */
  private get upstreamModel(): string {
    return this.spec.model ?? this.spec.id;
  }

  /** The replicas' labels (their URLs' origins), for metrics. */
  get replicaLabels(): string[] {
    return this.replicas.map((replica) => replica.label);
  }

  /** Each replica's state, for metrics and tests. */
  replicaStates(): ReplicaState[] {
    return this.replicas.map((replica) => ({
      label: replica.label,
      healthy: replica.healthy,
      outstanding: this.outstanding.get(replica.index) ?? 0,
    }));
  }

  private readonly outstanding = new Map<number, number>();

  /** What the replicas report of the model (describeFromReplicas); zeros until one has answered. */
  info(): ModelInfo {
    const described = this.described ?? NOTHING_DESCRIBED;
    return {
      id: this.spec.id,
      path: "",
      ...described,
      architecture: "",
      parameterCount: 0,
      quantization: "",
      chatTemplate: "",
      chatFormat: { wrapperName: `upstream:${this.spec.kind}`, renderer: "jinja", toolCallFormat: "native" },
      adapters: [],
      aliases: [],
    };
  }

  private described?: ModelDescription;

  /**
   * Asks the replicas, one after another until one answers, what they serve (`GET /v1/models`: the
   * context size one request may use, the embedding size, the file size), for `info`. Best-effort:
   * a replica that is down is asked again when it is restored.
   */
  async describeFromReplicas(): Promise<void> {
    for (const replica of this.replicas) {
      if (this.described) return;
      try {
        const response = await this.getFrom(replica, "/v1/models");
        if (!response.ok) {
          await response.body?.cancel();
          continue;
        }
        this.described ??= readModelsAnswer(await response.json(), this.upstreamModel);
      } catch {
        // Not reachable yet: the health checks restore it, and it is asked then.
      }
    }
  }

  /** Token ids are the upstream's: it checks them. */
  isValidToken(): boolean {
    return true;
  }

  private adapters?: Promise<UpstreamLoraAdapter[] | undefined>;

  /**
   * The LoRA adapters llama-server loaded (`GET /lora-adapters`, asked once of a healthy replica);
   * undefined where a replica has no such list (another inferql, which takes adapter names).
   */
  private loraAdapters(): Promise<UpstreamLoraAdapter[] | undefined> {
    this.adapters ??= this.fetchLoraAdapters().catch((error: unknown) => {
      this.adapters = undefined; // asked again by the next request
      throw error;
    });
    return this.adapters;
  }

  private async fetchLoraAdapters(): Promise<UpstreamLoraAdapter[] | undefined> {
    const replica = this.replicas.find((candidate) => candidate.healthy);
    if (!replica) throw new ModelNotReadyError(`No replica of the upstream '${this.id}' is reachable now`);
    try {
      const response = await this.getFrom(replica, "/lora-adapters");
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) throw new Error(`GET /lora-adapters answered ${response.status}`);
      return readLoraAdaptersAnswer(await response.json());
    } catch (error) {
      throw new ModelNotReadyError(
        `The upstream '${this.id}' did not list its LoRA adapters (${describe(error)})`,
      );
    }
  }

  /** Refuses at once a selection the kind cannot take; llama-server's adapter names are checked in `prepare`. */
  loraContextKey(selection: readonly LoraSelection[]): string {
    if (this.spec.kind !== "llama") toLoraFields(selection, this.spec.kind, this.id, undefined);
    return "";
  }

  cachedTokens(): readonly number[] {
    return [];
  }

  async prepare(request: GenerationRequest): Promise<PreparedRequest> {
    const wire = toOpenAiRequest(request, this.upstreamModel, this.spec.kind, this.id);
    const adapters =
      request.lora.length > 0 && this.spec.kind === "llama" ? await this.loraAdapters() : undefined;
    Object.assign(wire.body, toLoraFields(request.lora, this.spec.kind, this.id, adapters));
    if (!this.replicas.some((replica) => replica.healthy))
      throw new ModelNotReadyError(`No replica of the upstream '${this.id}' is reachable now`);
    const tried = new Set<number>();
    const prepared: PreparedRequest = {
      prefix: promptPrefixHashes(request.prompt),
      generate: (run) => this.generate(run, wire, tried),
    };
    this.routing.set(prepared, { tried });
    return prepared;
  }

  /**
   * Prefix affinity, then least outstanding: the replica that served the longest prefix of this
   * prompt when it has a free slot (else it is loaded, and the request falls back), otherwise the
   * replica with the fewest requests running, the one chosen longest ago among equals (ReplicaRouter).
   * Never a replica this request already failed on.
   */
  pickSlot(
    freeSlots: readonly number[],
    prepared: PreparedRequest,
    request: GenerationRequest,
  ): number | undefined {
    const tried = this.routing.get(prepared)?.tried;
    const free = new Map<number, number[]>();
    for (const slot of freeSlots) {
      const replica = this.replicaIndexOf(slot);
      if (tried?.has(replica)) continue;
      free.set(replica, [...(free.get(replica) ?? []), slot]);
    }
    const chosen = this.router.pick(
      new Map([...free].map(([replica, slots]) => [replica, slots.length])),
      request.cachePrompt ? prepared.prefix : undefined,
    );
    return chosen === undefined ? undefined : free.get(chosen)?.[0];
  }

  isSlotUsable(slot: number): boolean {
    return this.replicas[this.replicaIndexOf(slot)].healthy;
  }

  onSlotsChanged(listener: () => void): () => void {
    this.slotListeners.add(listener);
    return () => this.slotListeners.delete(listener);
  }

  /** Attempts, ejections and restorations, for metrics. */
  onEvent(listener: (event: UpstreamEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Starts the periodic health probes. */
  start(): void {
    if (this.healthTimer) return;
    this.healthTimer = setInterval(() => this.probeAll(), this.spec.healthIntervalMs);
    this.healthTimer.unref();
    void this.checkConcurrency();
    void this.describeFromReplicas();
  }

  /**
   * Warns when a replica runs fewer requests at once than `slots` says (llama-server reports its
   * `total_slots` at `GET /props`): the requests beyond its own slots wait in its queue and send
   * nothing, so under load they are taken for hung and the replica is ejected. Best-effort: a
   * replica that does not answer /props (vLLM, inferql, a proxy) is not checked.
   */
  async checkConcurrency(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (replica) => {
        try {
          const response = await this.getFrom(replica, "/props");
          if (!response.ok) return void (await response.body?.cancel());
          const props = (await response.json()) as { total_slots?: unknown };
          if (typeof props.total_slots === "number" && props.total_slots < this.spec.slots)
            this.logger?.warn(
              {
                upstream: this.id,
                replica: replica.label,
                replicaSlots: props.total_slots,
                slots: this.spec.slots,
              },
              "upstream replica runs fewer requests at once than slots=: the rest queue there and may be taken for hung",
            );
        } catch {
          // Not reachable yet, or no /props: the health checks deal with the former.
        }
      }),
    );
  }

  dispose(): void {
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
  }

  /** Probes every replica once: a healthy one that fails is ejected, an ejected one that answers restored. */
  async probeAll(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (replica) => {
        if (replica.probing) return;
        replica.probing = true;
        try {
          const failure = await this.probe(replica);
          if (failure === undefined && !replica.healthy) this.restore(replica);
          else if (failure !== undefined && replica.healthy)
            this.eject(replica, `health check failed: ${failure}`);
        } finally {
          replica.probing = false;
        }
      }),
    );
  }

  /** Undefined when the replica is healthy, else what went wrong (for the ejection's log line). */
  private async probe(replica: Replica): Promise<string | undefined> {
    const get = async (path: string) => {
      const response = await this.getFrom(replica, path);
      await response.body?.cancel();
      return response.status;
    };
    let path = "/health";
    try {
      let status = await get(path);
      if (status === 404) {
        path = "/v1/models";
        status = await get(path);
      }
      return status === 200 ? undefined : `GET ${path} answered ${status}`;
    } catch (error) {
      return `GET ${path}: ${describe(error)}`;
    }
  }

  private eject(replica: Replica, reason: string): void {
    if (!replica.healthy) return;
    replica.healthy = false;
    this.logger?.warn({ upstream: this.id, replica: replica.label, reason }, "upstream replica ejected");
    this.emit({ type: "ejected", upstream: this.id, replica: replica.label, reason });
  }

  private restore(replica: Replica): void {
    replica.healthy = true;
    this.logger?.info({ upstream: this.id, replica: replica.label }, "upstream replica restored");
    this.emit({ type: "restored", upstream: this.id, replica: replica.label });
    for (const listener of this.slotListeners) listener();
    if (!this.described) void this.describeFromReplicas();
  }

  private emit(event: UpstreamEvent): void {
    for (const listener of this.eventListeners)
      try {
        listener(event);
      } catch (error) {
        this.logger?.error({ err: error }, "upstream: an event listener failed");
      }
  }

  /**
   * Embeds `input` on a replica (`POST /v1/embeddings`, see request). `normalize` is llama.cpp's
   * `embd_normalize`; vectors come back as the replica normalized them.
   */
  async embed(
    input: EmbeddingsWireInput,
    normalize: number,
  ): Promise<{ vectors: number[][]; promptTokens: number }> {
    const wire = toEmbeddingsRequest(input, normalize, this.upstreamModel, this.spec.kind, this.id);
    const inputs =
      typeof input === "string" || input.every((item) => typeof item === "number") ? 1 : input.length;
    return this.request("embeddings", wire, (text) => readEmbeddingsAnswer(text, inputs));
  }

  /**
   * Scores each document's relevance to `query` on a replica (`POST /v1/rerank`, see request), in
   * the documents' order; the scores are the replica's own.
   */
  async rank(
    query: string,
    documents: readonly string[],
  ): Promise<{ scores: number[]; promptTokens: number }> {
    const wire = toRerankRequest(query, documents, this.upstreamModel, this.spec.kind, this.id);
    return this.request("rerank", wire, (text) => readRerankAnswer(text, documents.length));
  }

  /** The tokens of `text` by a replica's tokenizer (llama-server's `POST /tokenize`), with their pieces. */
  async tokenize(
    text: string,
    withSpecialTokens: boolean,
    addSpecialTokens: boolean,
  ): Promise<TokenizedPiece[]> {
    const wire = toTokenizeRequest(
      text,
      withSpecialTokens,
      addSpecialTokens,
      this.upstreamModel,
      this.spec.kind,
      this.id,
    );
    return this.request("tokenize", wire, readTokenizeAnswer);
  }

  /**
   * A chat as a replica's chat template renders it (llama-server's `POST /apply-template`), and its
   * length in that replica's tokens: the rendered text tokenized as llama-server tokenizes a chat's
   * prompt, special tokens parsed and BOS added where the model adds it.
   */
  async renderChat(prompt: ChatPrompt): Promise<{ text: string; tokens: number }> {
    const wire = toRenderChatRequest(prompt, this.upstreamModel, this.spec.kind, this.id);
    if (wire.path === "/tokenize") {
      // vLLM renders and tokenizes in one request; the text is its tokens, detokenized.
      const { tokens, count } = await this.request("tokenize", wire, readVllmTokenizeAnswer);
      return { text: await this.detokenize(tokens), tokens: count };
    }
    const text = await this.request("apply-template", wire, readApplyTemplateAnswer);
    return { text, tokens: (await this.tokenize(text, true, true)).length };
  }

  /** The text of `tokens` by a replica's tokenizer (llama-server's `POST /detokenize`). */
  async detokenize(tokens: readonly number[]): Promise<string> {
    return this.request(
      "detokenize",
      toDetokenizeRequest(tokens, this.upstreamModel, this.spec.kind, this.id),
      readDetokenizeAnswer,
    );
  }

  /**
   * A request outside the slots (as a local model's embeddings, reranking and tokenizer are), on one
   * replica: the healthy one running the fewest requests, the one chosen longest ago among equals. A
   * replica that fails before answering is ejected or passed over as for a generation, and the
   * request tried on another; with none left, the client gets what a generation would (503, 504, a
   * replica's 400 or 429). `read` turns the answer's body into the result, or throws an
   * UpstreamStreamError.
   */
  private async request<T>(
    operation: string,
    wire: { path: string; body: Record<string, unknown> },
    read: (text: string) => T,
  ): Promise<T> {
    const tried = new Set<number>();
    for (;;) {
      const candidates = this.replicas.filter((replica) => replica.healthy && !tried.has(replica.index));
      const chosen = this.router.pick(
        new Map(
          candidates.map((replica) => [
            replica.index,
            this.spec.slots - (this.outstanding.get(replica.index) ?? 0),
          ]),
        ),
      );
      if (chosen === undefined)
        throw new ModelNotReadyError(`No replica of the upstream '${this.id}' is reachable now`);
      tried.add(chosen);
      const answer = await this.requestOn(this.replicas[chosen], operation, wire, read, tried);
      if (answer) return answer.value;
    }
  }

  /**
   * One `request` to one replica: its result, or undefined when it failed in a way another replica
   * not yet `tried` may not (then the caller tries one); otherwise the error the client gets.
   */
  private async requestOn<T>(
    replica: Replica,
    operation: string,
    wire: { path: string; body: Record<string, unknown> },
    read: (text: string) => T,
    tried: ReadonlySet<number>,
  ): Promise<{ value: T } | undefined> {
    const sentAt = this.attemptStarted(replica);
    const controller = new AbortController();
    let hung = false;
    // Nothing is sent until the answer is ready: the whole of it must come within `timeout`.
    const hang = setTimeout(() => {
      hung = true;
      controller.abort();
    }, this.spec.timeoutMs);
    let outcome: UpstreamOutcome = "error";
    let errorKind: UpstreamErrorKind | undefined;
    try {
      const response = await postStream(
        `${replica.base}${wire.path}`,
        { ...this.headers(), "content-type": "application/json", accept: "application/json" },
        JSON.stringify(wire.body),
        controller.signal,
      );
      const text = await readText(response);
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) throw new UpstreamStatusError(status, text, retryAfterOf(response));
      const value = read(text);
      outcome = "ok";
      return { value };
    } catch (error) {
      const fault = this.classify(error, hung, replica.index, false);
      errorKind = fault.kind;
      this.logger?.warn(
        { upstream: this.id, replica: replica.label, kind: fault.kind, err: fault.message },
        `upstream ${operation} request failed`,
      );
      if (fault.ejects) this.eject(replica, fault.message);
      if (fault.retryable && this.replicas.some((other) => other.healthy && !tried.has(other.index))) {
        outcome = "retried";
        return undefined;
      }
      throw fault.final;
    } finally {
      clearTimeout(hang);
      this.attemptEnded(replica, sentAt, outcome, errorKind);
    }
  }

  /** Counts a request as running on `replica` (least-outstanding routing); returns when it was sent. */
  private attemptStarted(replica: Replica): number {
    this.outstanding.set(replica.index, (this.outstanding.get(replica.index) ?? 0) + 1);
    return performance.now();
  }

  /** Ends what attemptStarted counted, and reports the attempt (metrics). */
  private attemptEnded(
    replica: Replica,
    sentAt: number,
    outcome: UpstreamOutcome,
    errorKind: UpstreamErrorKind | undefined,
    firstTokenSeconds?: number,
  ): void {
    this.outstanding.set(replica.index, (this.outstanding.get(replica.index) ?? 1) - 1);
    this.emit({
      type: "attempt",
      upstream: this.id,
      replica: replica.label,
      outcome,
      ...(errorKind ? { errorKind } : {}),
      seconds: (performance.now() - sentAt) / 1000,
      ...(firstTokenSeconds !== undefined ? { firstTokenSeconds } : {}),
    });
  }

  private replicaIndexOf(slot: number): number {
    return Math.floor(slot / this.spec.slots);
  }

  /** A GET of a replica's own endpoint (health, metadata), with its key, within the probe timeout. */
  private getFrom(replica: Replica, path: string): Promise<Response> {
    return fetch(`${replica.base}${path}`, {
      headers: this.headers(),
      signal: AbortSignal.timeout(Math.min(this.spec.timeoutMs, PROBE_TIMEOUT_MS)),
    });
  }

  private headers(): Record<string, string> {
    return this.spec.apiKey ? { authorization: `Bearer ${this.spec.apiKey}` } : {};
  }

  private async *generate(
    run: SlotRun,
    wire: ReturnType<typeof toOpenAiRequest>,
    tried: Set<number>,
  ): AsyncGenerator<EngineEvent> {
    const replica = this.replicas[this.replicaIndexOf(run.slot)];
    tried.add(replica.index);
    const sentAt = this.attemptStarted(replica);
    const output = new UpstreamOutput(
      run.slot,
      run.queueMs,
      sentAt,
      run.request.chatOutput?.reasoning === "inline",
    );
    const controller = new AbortController();
    let stopped: "cancelled" | "timeout" | "hang" | undefined;
    const stop = (reason: "cancelled" | "timeout" | "hang") => {
      stopped ??= reason;
      controller.abort();
    };
    const onAbort = () => stop("cancelled");
    if (run.signal.aborted) onAbort();
    else run.signal.addEventListener("abort", onAbort, { once: true });
    const deadline = setTimeout(() => stop("timeout"), Math.max(0, run.deadline - Date.now()));
    // The hang timer is not re-armed per chunk (a timer per token costs): each chunk notes its
    // time, and the timer, when it fires, waits on for what is left since the last one.
    let lastDataAt = performance.now();
    const onData = () => {
      lastDataAt = performance.now();
    };
    let hang: NodeJS.Timeout | undefined;
    const checkHang = () => {
      const idleMs = performance.now() - lastDataAt;
      if (idleMs >= this.spec.timeoutMs) stop("hang");
      else hang = setTimeout(checkHang, this.spec.timeoutMs - idleMs);
    };
    let outcome: UpstreamOutcome = "error";
    let errorKind: UpstreamErrorKind | undefined;
    try {
      try {
        hang = setTimeout(checkHang, this.spec.timeoutMs);
        yield* this.stream(replica, wire, run.request.id, controller.signal, output, onData);
        outcome = "ok";
      } catch (error) {
        if (stopped === "cancelled" || stopped === "timeout") {
          outcome = stopped;
          yield* output.finish(stopped);
          return;
        }
        const fault = this.classify(error, stopped === "hang", replica.index, output.produced);
        errorKind = fault.kind;
        this.logger?.warn(
          {
            upstream: this.id,
            replica: replica.label,
            kind: fault.kind,
            err: fault.message,
            produced: output.produced,
          },
          "upstream request failed",
        );
        if (fault.ejects) this.eject(replica, fault.message);
        if (output.produced)
          throw new UpstreamStreamError(`upstream '${this.id}' failed mid-stream: ${fault.message}`);
        if (fault.retryable && this.replicas.some((other) => other.healthy && !tried.has(other.index))) {
          outcome = "retried";
          throw new SlotFailedError(fault.final);
        }
        throw fault.final;
      }
    } finally {
      clearTimeout(deadline);
      clearTimeout(hang);
      run.signal.removeEventListener("abort", onAbort);
      // A stream that ended well leaves its response to drain back to the pool (stream()).
      if (outcome !== "ok") controller.abort();
      this.attemptEnded(replica, sentAt, outcome, errorKind, output.firstTokenSeconds);
    }
  }

  /**
   * One request to one replica, its SSE stream read as engine events. It carries the generation's id
   * as `x-request-id`, which the replica's own logs then name (another inferql's generation log line,
   * vLLM's request id): unique per generation, so the choices of one request (`n`) never share one.
   */
  private async *stream(
    replica: Replica,
    wire: ReturnType<typeof toOpenAiRequest>,
    generationId: string,
    signal: AbortSignal,
    output: UpstreamOutput,
    onData: () => void,
  ): AsyncGenerator<EngineEvent> {
    const response = await postStream(
      `${replica.base}${wire.path}`,
      {
        ...this.headers(),
        "content-type": "application/json",
        accept: "text/event-stream",
        "x-request-id": generationId,
      },
      JSON.stringify(wire.body),
      signal,
    );
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readText(response).catch(() => "");
      throw new UpstreamStatusError(status, body, retryAfterOf(response));
    }
    const messages: string[] = [];
    const parser = createParser({ onEvent: (event) => messages.push(event.data) });
    // A string decoder: a character split across two chunks is joined.
    response.setEncoding("utf8");
    // Returning at `[DONE]` must not destroy the response (and its connection): it is drained instead.
    for await (const text of response.iterator({ destroyOnReturn: false })) {
      onData();
      parser.feed(text as string);
      for (const data of messages.splice(0)) {
        if (data.trim() === "[DONE]") {
          if (!output.finished) throw new UpstreamStreamError("the stream ended without a finish reason");
          drainToPool(response, this.spec.timeoutMs);
          yield* output.finish();
          return;
        }
        let chunk: WireChunk;
        try {
          chunk = JSON.parse(data) as WireChunk;
        } catch {
          throw new UpstreamStreamError("the stream sent a chunk that is not JSON");
        }
        if (wire.path === "/infill") chunk = fromLlamaServerChunk(chunk as LlamaServerChunk);
        yield* output.chunk(chunk);
      }
    }
    if (!output.finished) throw new UpstreamStreamError("the stream ended before its finish reason");
    yield* output.finish();
  }

  private classify(error: unknown, hung: boolean, replicaIndex: number, produced: boolean): Fault {
    const unavailable = (message: string) =>
      new ModelNotReadyError(`No replica of the upstream '${this.id}' could serve the request (${message})`);
    if (hung) {
      // Nothing before the first token while others run there: most often the replica's own queue
      // (it runs fewer requests at once than slots= says), not a dead replica; the log says so.
      const busy = this.outstanding.get(replicaIndex) ?? 0;
      const message =
        produced || busy <= 1
          ? `no data for ${this.spec.timeoutMs} ms`
          : `no data for ${this.spec.timeoutMs} ms before the first token, with ${busy} requests running there (does it run ${this.spec.slots} at once, as slots=${this.spec.slots} says?)`;
      const final = new UpstreamTimeoutError(
        `No replica of the upstream '${this.id}' answered in time (${message})`,
      );
      return { kind: "hang", message, ejects: true, retryable: true, final };
    }
    if (error instanceof UpstreamStatusError) {
      const message = error.message;
      /** The replica is well but did not serve this request: kept in service, another one tried. */
      const passOver = (final: Error): Fault => ({
        kind: "status",
        message,
        ejects: false,
        retryable: true,
        final,
      });
      if (error.status === 429)
        return passOver(
          new OverloadedError(
            error.retryAfterSeconds ?? 1,
            "upstream",
            `'${this.id}' answered 429: ${error.detail().message}`,
          ),
        );
      // Not implemented (llama-server started without --embeddings, or infill on a model without FIM
      // tokens): the request is not for this replica.
      if (error.status === 501)
        return passOver(
          new InvalidInputError(
            "model",
            `The upstream '${this.id}' cannot serve this request: ${error.detail().message}`,
          ),
        );
      if (error.status >= 500)
        return { kind: "status", message, ejects: true, retryable: true, final: unavailable(message) };
      if (error.status === 400 || error.status === 422) {
        const detail = error.detail();
        return {
          kind: "status",
          message,
          ejects: false,
          retryable: false,
          final: new InvalidInputError(
            detail.param,
            `The upstream '${this.id}' refused the request: ${detail.message}`,
          ),
        };
      }
      // 401, 403, 404…: the replica refuses inferql itself (its key=, its model= name): another
      // replica may be configured right; with none left the client learns why, not a bare 500.
      return passOver(
        unavailable(
          `HTTP ${error.status}: ${error.detail().message}; check the upstream's key and model name`,
        ),
      );
    }
    if (error instanceof UpstreamStreamError)
      return {
        kind: "upstream",
        message: error.message,
        ejects: false,
        retryable: true,
        final: unavailable(error.message),
      };
    const message = describe(error);
    // No answer at all (refused, reset, unreachable), or a body that broke off (the replica died).
    const connect = error instanceof UpstreamConnectError;
    return {
      kind: connect ? "connect" : "stream",
      message,
      ejects: true,
      retryable: true,
      final: unavailable(message),
    };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
