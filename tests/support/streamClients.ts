// One chat stream over any of the five streaming transports, spoken at the wire level so a test can
// see exactly how it ended (finish reason, the protocol's own end marker) and can drop the
// connection abruptly: OpenAI SSE, GraphQL over SSE and graphql-ws, tRPC over SSE and WebSocket.
import { WebSocket } from "ws";

export const STREAM_TRANSPORTS = ["openai-sse", "graphql-sse", "graphql-ws", "trpc-sse", "trpc-ws"] as const;
export type StreamTransport = (typeof STREAM_TRANSPORTS)[number];

export interface StreamRequest {
  content: string;
  maxTokens: number;
  apiKey?: string;
}

export interface StreamOutcome {
  /** The finish reason of the last event, lower case ("length", "cancelled", "error", …). */
  finishReason?: string;
  /** Whether the protocol's normal end arrived: `[DONE]`, graphql-sse/graphql-ws complete, tRPC return/stopped. */
  ended: boolean;
  contentEvents: number;
  /** Why the stream was refused or failed: "overloaded" for a full queue, else the transport's code. */
  error?: string;
  /** The HTTP status, for the SSE transports. */
  status?: number;
  /** Every message received, as sent (SSE data, WebSocket frames, a refusal's body), one per line. */
  transcript: string;
}

export interface StreamHandle {
  /** Resolves at the first content delta (never, if none comes). */
  firstContent: Promise<void>;
  /** Resolves once the stream ends, is refused, or its connection drops; never rejects. */
  outcome: Promise<StreamOutcome>;
  /** Drops the connection at once, as a crashed or vanished client would. */
  disconnect(): void;
}

const CHAT_SUBSCRIPTION = `subscription Chat($input: ChatCompletionInput!) {
  chatCompletion(input: $input) {
    __typename
    ... on ContentDelta { content }
    ... on GenerationFinished { finishReason }
  }
}`;

const OVERLOADED_CODES = new Set(["rate_limit_exceeded", "OVERLOADED", "TOO_MANY_REQUESTS"]);
const normalizeError = (code: unknown) =>
  typeof code === "string" && OVERLOADED_CODES.has(code) ? "overloaded" : String(code);

/** Collects what a stream reports; `settle` resolves the outcome once. */
class Recorder {
  readonly outcome: Promise<StreamOutcome>;
  readonly firstContent: Promise<void>;
  private readonly state: StreamOutcome = { ended: false, contentEvents: 0, transcript: "" };
  private resolveOutcome!: (outcome: StreamOutcome) => void;
  private resolveFirst!: () => void;

  constructor() {
    this.outcome = new Promise((resolve) => {
      this.resolveOutcome = resolve;
    });
    this.firstContent = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  received(message: string): void {
    this.state.transcript += `${message}\n`;
  }

  content(text: string): void {
    if (text === "") return;
    this.state.contentEvents++;
    this.resolveFirst();
  }

  finished(reason: string): void {
    this.state.finishReason = reason.toLowerCase();
  }

  failed(code: unknown, status?: number): void {
    this.state.error ??= normalizeError(code);
    if (status !== undefined) this.state.status = status;
  }

  status(status: number): void {
    this.state.status = status;
  }

  settle(ended: boolean): void {
    this.state.ended ||= ended;
    this.resolveOutcome({ ...this.state });
  }
}

export function openStream(
  transport: StreamTransport,
  baseUrl: string,
  request: StreamRequest,
): StreamHandle {
  switch (transport) {
    case "openai-sse":
      return openAiSse(baseUrl, request);
    case "graphql-sse":
      return graphqlSse(baseUrl, request);
    case "graphql-ws":
      return graphqlWs(baseUrl, request);
    case "trpc-sse":
      return trpcSse(baseUrl, request);
    case "trpc-ws":
      return trpcWs(baseUrl, request);
  }
}

const authorization = (request: StreamRequest): Record<string, string> =>
  request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {};

const trpcInput = (request: StreamRequest) => ({
  messages: [{ role: "user", content: request.content }],
  maxTokens: request.maxTokens,
});

interface SseEvent {
  event: string;
  data: string;
}

/** Fetches an SSE response and hands each event to `onEvent`; anything else non-2xx goes to `onRefused`. */
function sseStream(
  url: string,
  init: RequestInit,
  recorder: Recorder,
  onEvent: (event: SseEvent) => void,
  onRefused: (status: number, body: string) => void,
): StreamHandle {
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch(url, { ...init, signal: controller.signal });
      recorder.status(response.status);
      if (!response.ok || !response.headers.get("content-type")?.includes("text/event-stream")) {
        const body = await response.text();
        recorder.received(body);
        onRefused(response.status, body);
        return recorder.settle(false);
      }
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary = buffer.indexOf("\n\n");
        while (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const lines = block.split("\n");
          const event =
            lines
              .find((line) => line.startsWith("event:"))
              ?.slice(6)
              .trim() ?? "message";
          const data = lines
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).replace(/^ /, ""))
            .join("\n");
          if (lines.some((line) => line.startsWith("data:") || line.startsWith("event:"))) {
            recorder.received(data);
            onEvent({ event, data });
          }
          boundary = buffer.indexOf("\n\n");
        }
      }
      recorder.settle(false);
    } catch {
      recorder.settle(false);
    }
  })();
  return {
    firstContent: recorder.firstContent,
    outcome: recorder.outcome,
    disconnect: () => controller.abort(),
  };
}

function openAiSse(baseUrl: string, request: StreamRequest): StreamHandle {
  const recorder = new Recorder();
  return sseStream(
    `${baseUrl}/v1/chat/completions`,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...authorization(request) },
      body: JSON.stringify({
        messages: [{ role: "user", content: request.content }],
        max_tokens: request.maxTokens,
        stream: true,
      }),
    },
    recorder,
    ({ data }) => {
      if (data === "[DONE]") return recorder.settle(true);
      const chunk = JSON.parse(data) as {
        error?: { code?: string };
        choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
      };
      if (chunk.error) return recorder.failed(chunk.error.code);
      const choice = chunk.choices?.[0];
      recorder.content(choice?.delta?.content ?? "");
      if (choice?.finish_reason) recorder.finished(choice.finish_reason);
    },
    (status, body) => recorder.failed((JSON.parse(body) as { error: { code: string } }).error.code, status),
  );
}

interface GraphqlPayload {
  data?: { chatCompletion?: { __typename: string; content?: string; finishReason?: string } } | null;
  errors?: { extensions?: { code?: string } }[];
}

function onGraphqlPayload(recorder: Recorder, payload: GraphqlPayload): void {
  if (payload.errors?.length) {
    recorder.failed(payload.errors[0].extensions?.code);
    return;
  }
  const event = payload.data?.chatCompletion;
  if (event?.__typename === "ContentDelta") recorder.content(event.content ?? "");
  if (event?.__typename === "GenerationFinished" && event.finishReason) recorder.finished(event.finishReason);
}

const graphqlVariables = (request: StreamRequest) => ({
  input: { messages: [{ role: "USER", content: request.content }], maxTokens: request.maxTokens },
});

function graphqlSse(baseUrl: string, request: StreamRequest): StreamHandle {
  const recorder = new Recorder();
  return sseStream(
    `${baseUrl}/graphql`,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...authorization(request) },
      body: JSON.stringify({ query: CHAT_SUBSCRIPTION, variables: graphqlVariables(request) }),
    },
    recorder,
    ({ event, data }) => {
      if (event === "complete") return recorder.settle(true);
      if (event === "next") onGraphqlPayload(recorder, JSON.parse(data) as GraphqlPayload);
    },
    (status, body) =>
      recorder.failed((JSON.parse(body) as GraphqlPayload).errors?.[0]?.extensions?.code ?? status, status),
  );
}

function trpcSse(baseUrl: string, request: StreamRequest): StreamHandle {
  const recorder = new Recorder();
  const input = encodeURIComponent(JSON.stringify(trpcInput(request)));
  return sseStream(
    `${baseUrl}/trpc/chat.stream?input=${input}`,
    { headers: { accept: "text/event-stream", ...authorization(request) } },
    recorder,
    ({ event, data }) => {
      if (event === "return") return recorder.settle(true);
      if (event === "serialized-error")
        return recorder.failed((JSON.parse(data) as { data?: { code?: string } }).data?.code);
      if (event !== "message" || data === "") return;
      const message = JSON.parse(data) as { type: string; content?: string; finishReason?: string };
      if (message.type === "contentDelta") recorder.content(message.content ?? "");
      if (message.type === "finished" && message.finishReason) recorder.finished(message.finishReason);
    },
    (status, body) => recorder.failed(body || status, status),
  );
}

/** A raw WebSocket whose messages are JSON; the outcome settles on close (if not before). */
function webSocketStream(
  url: string,
  protocol: string | undefined,
  recorder: Recorder,
  onOpen: (send: (message: unknown) => void) => void,
  onMessage: (message: Record<string, unknown>, send: (message: unknown) => void) => void,
): StreamHandle {
  const socket = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
  const send = (message: unknown) => socket.send(JSON.stringify(message));
  socket.on("open", () => onOpen(send));
  socket.on("message", (data) => {
    recorder.received(String(data));
    onMessage(JSON.parse(String(data)) as Record<string, unknown>, send);
  });
  socket.on("close", () => recorder.settle(false));
  socket.on("error", () => recorder.settle(false));
  return {
    firstContent: recorder.firstContent,
    outcome: recorder.outcome,
    disconnect: () => socket.terminate(),
  };
}

function graphqlWs(baseUrl: string, request: StreamRequest): StreamHandle {
  const recorder = new Recorder();
  let handle: StreamHandle | undefined;
  handle = webSocketStream(
    `${baseUrl.replace(/^http/, "ws")}/graphql`,
    "graphql-transport-ws",
    recorder,
    (send) => send({ type: "connection_init", payload: authorization(request) }),
    (message, send) => {
      if (message.type === "connection_ack")
        send({
          id: "1",
          type: "subscribe",
          payload: { query: CHAT_SUBSCRIPTION, variables: graphqlVariables(request) },
        });
      else if (message.type === "next") onGraphqlPayload(recorder, message.payload as GraphqlPayload);
      else if (message.type === "error") {
        onGraphqlPayload(recorder, { errors: message.payload as GraphqlPayload["errors"] });
        recorder.settle(false);
        handle?.disconnect();
      } else if (message.type === "complete") {
        recorder.settle(true);
        handle?.disconnect();
      }
    },
  );
  return handle;
}

function trpcWs(baseUrl: string, request: StreamRequest): StreamHandle {
  const recorder = new Recorder();
  const withParams = request.apiKey !== undefined;
  let handle: StreamHandle | undefined;
  handle = webSocketStream(
    `${baseUrl.replace(/^http/, "ws")}/trpc${withParams ? "?connectionParams=1" : ""}`,
    undefined,
    recorder,
    (send) => {
      if (withParams) send({ method: "connectionParams", data: authorization(request) });
      send({ id: 1, method: "subscription", params: { path: "chat.stream", input: trpcInput(request) } });
    },
    (message) => {
      const error = message.error as { data?: { code?: string } } | undefined;
      if (error) {
        recorder.failed(error.data?.code);
        recorder.settle(false);
        return handle?.disconnect();
      }
      const result = message.result as
        | { type: string; data?: { type: string; content?: string; finishReason?: string } }
        | undefined;
      if (result?.type === "data" && result.data?.type === "contentDelta")
        recorder.content(result.data.content ?? "");
      if (result?.type === "data" && result.data?.type === "finished" && result.data.finishReason)
        recorder.finished(result.data.finishReason);
      if (result?.type === "stopped") {
        recorder.settle(true);
        handle?.disconnect();
      }
    },
  );
  return handle;
}
