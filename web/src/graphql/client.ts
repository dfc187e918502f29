// One graphql-ws connection to this server for everything the page does, typed by the generated
// documents. It reconnects on its own (with backoff) and reports its state; a refused API key
// stops the retries and stays the state, whichever operation's socket was refused.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, print } from "graphql";
import { type Client, createClient } from "graphql-ws";
import { AUTH_CLOSE_CODES, fromGraphqlErrors, type RequestError, toRequestError } from "./errors.js";

export type ConnectionStatus =
  | { state: "connecting" }
  | { state: "connected" }
  | { state: "reconnecting"; attempt: number; error: RequestError }
  | { state: "failed"; error: RequestError };

export interface StreamHandlers<TData> {
  next(data: TData): void;
  error(error: RequestError): void;
  complete(): void;
}

type Variables = Record<string, unknown>;

export interface PlaygroundClient {
  status(): ConnectionStatus;
  /** Calls `listener` on every change of the connection's state; returns the unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Calls `listener` each time the socket drops (a retry follows unless the key was refused). */
  onDisconnect(listener: (error: RequestError) => void): () => void;
  /**
   * Runs a subscription. The returned function ends it; for a generation the server then stops
   * generating and frees the slot. After an error or completion no handler is called again.
   */
  subscribe<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    handlers: StreamHandlers<TData>,
  ): () => void;
  /** A query or mutation: resolves with its data, rejects with a RequestError. */
  request<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData>;
  dispose(): void;
}

export function graphqlWsUrl(location: Location): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
}

/** Each document is printed once. */
const printed = new WeakMap<DocumentNode, string>();
function queryOf(document: DocumentNode): string {
  let query = printed.get(document);
  if (query === undefined) {
    query = print(document);
    printed.set(document, query);
  }
  return query;
}

/** 0.5 s, 1 s, 2 s, … up to 8 s, with jitter so that many tabs do not reconnect in step. */
async function backoff(retries: number): Promise<void> {
  const delay = Math.min(8000, 500 * 2 ** retries) + Math.random() * 300;
  await new Promise((resolve) => setTimeout(resolve, delay));
}

export function createPlaygroundClient(url: string, apiKey: string): PlaygroundClient {
  let status: ConnectionStatus = { state: "connecting" };
  let attempt = 0;
  let disposed = false;
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const disconnectListeners = new Set<(error: RequestError) => void>();
  const setStatus = (next: ConnectionStatus) => {
    status = next;
    for (const listener of statusListeners) listener(next);
  };

  const client: Client = createClient({
    url,
    // The auth contract: graphql-ws connectionParams carry the same header value as HTTP would.
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    lazy: false,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: backoff,
    shouldRetry: (error) => !(error instanceof CloseEvent && AUTH_CLOSE_CODES.has(error.code)),
    onNonLazyError: (error) => {
      if (!disposed) setStatus({ state: "failed", error: toRequestError(error) });
    },
    on: {
      connected: () => {
        attempt = 0;
        setStatus({ state: "connected" });
      },
      // Any operation may open the next socket (the page's own connection, a query, a message
      // sent meanwhile), so each close decides the state: a refused key is final for every socket.
      closed: (event) => {
        if (disposed) return;
        const error = toRequestError(event);
        if (error.kind === "auth") setStatus({ state: "failed", error });
        else {
          attempt += 1;
          setStatus({ state: "reconnecting", attempt, error });
        }
        for (const listener of disconnectListeners) listener(error);
      },
    },
  });

  function subscribe<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    handlers: StreamHandlers<TData>,
  ): () => void {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      finish();
    };
    const unsubscribe = client.subscribe<TData>(
      { query: queryOf(document), variables },
      {
        next: (result) => {
          if (settled) return;
          if (result.errors?.length) {
            const error = fromGraphqlErrors(result.errors);
            settle(() => handlers.error(error));
            unsubscribe();
          } else if (result.data) handlers.next(result.data);
        },
        error: (error) => settle(() => handlers.error(toRequestError(error))),
        complete: () => settle(() => handlers.complete()),
      },
    );
    return () => {
      settled = true;
      unsubscribe();
    };
  }

  return {
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
    subscribe,
    request: (document, variables) =>
      new Promise((resolve, reject) => {
        const end = subscribe(document, variables, {
          next: (data) => {
            resolve(data);
            end();
          },
          error: reject,
          complete: () => reject(toRequestError(new Error("The server sent no result."))),
        });
      }),
    dispose() {
      disposed = true;
      statusListeners.clear();
      disconnectListeners.clear();
      void client.dispose();
    },
  };
}
