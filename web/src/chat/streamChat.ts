// Runs one chat generation over the ChatStream subscription and reports it as it happens: the
// start, each piece of reasoning, text and tool call, and exactly one ending (finished, stopped, or failed).
import type { PlaygroundClient } from "../graphql/client.js";
import {
  CancelGenerationDocument,
  type ChatCompletionInput,
  ChatStreamDocument,
  type ChatStreamSubscription,
} from "../graphql/documents.js";
import { RequestError } from "../graphql/errors.js";

type ChatEvent = ChatStreamSubscription["chatCompletion"];
export type GenerationStartedEvent = Extract<ChatEvent, { __typename: "GenerationStarted" }>;
export type GenerationFinishedEvent = Extract<ChatEvent, { __typename: "GenerationFinished" }>;
export type ToolCallDeltaEvent = Extract<ChatEvent, { __typename: "ToolCallDelta" }>;

export interface ChatStreamObserver {
  started(event: GenerationStartedEvent): void;
  reasoning(text: string): void;
  content(text: string): void;
  toolCall(delta: ToolCallDeltaEvent): void;
  /** The server's last event; `timeToFirstTokenMs` is measured here, from sending to the first token. */
  finished(event: GenerationFinishedEvent, timeToFirstTokenMs: number | undefined): void;
  /** Stopped before the server reported a generation to cancel: ending the subscription stopped it. */
  stopped(): void;
  failed(error: RequestError): void;
}

export interface ChatStreamHandle {
  /** Cancels the generation; the server then finishes the stream with CANCELLED and the usage so far. */
  stop(): void;
}

/** How long a cancelled stream may take to send its CANCELLED event before it is ended from here. */
const CANCEL_GRACE_MS = 3000;

export function streamChat(
  client: PlaygroundClient,
  input: ChatCompletionInput,
  observer: ChatStreamObserver,
): ChatStreamHandle {
  const sentAt = performance.now();
  let firstTokenAt: number | undefined;
  let generationId: string | undefined;
  let over = false;
  let cancelTimer: ReturnType<typeof setTimeout> | undefined;

  const finish = (report: () => void) => {
    if (over) return;
    over = true;
    clearTimeout(cancelTimer);
    stopWatchingConnection();
    report();
  };
  const endHere = () => {
    unsubscribe();
    finish(() => observer.stopped());
  };

  const unsubscribe = client.subscribe(
    ChatStreamDocument,
    { input },
    {
      next: ({ chatCompletion: event }) => {
        if (over) return;
        switch (event.__typename) {
          case "GenerationStarted":
            generationId = event.id;
            observer.started(event);
            break;
          case "ReasoningDelta":
            firstTokenAt ??= performance.now();
            observer.reasoning(event.reasoning);
            break;
          case "ContentDelta":
            firstTokenAt ??= performance.now();
            observer.content(event.content);
            break;
          case "ToolCallDelta":
            firstTokenAt ??= performance.now();
            observer.toolCall(event);
            break;
          case "GenerationFinished": {
            const ttft = firstTokenAt === undefined ? undefined : firstTokenAt - sentAt;
            finish(() => observer.finished(event, ttft));
            break;
          }
        }
      },
      error: (error) => finish(() => observer.failed(error)),
      complete: () =>
        finish(() => observer.failed(new RequestError("The stream ended without a result.", "connection"))),
    },
  );

  // graphql-ws would re-run the subscription after a reconnect: a second generation. End it instead.
  const stopWatchingConnection = client.onDisconnect((error) => {
    unsubscribe();
    finish(() => observer.failed(error));
  });

  return {
    stop() {
      if (over || cancelTimer !== undefined) return;
      if (generationId === undefined) {
        endHere();
        return;
      }
      cancelTimer = setTimeout(endHere, CANCEL_GRACE_MS);
      client.request(CancelGenerationDocument, { id: generationId }).catch(endHere);
    },
  };
}
