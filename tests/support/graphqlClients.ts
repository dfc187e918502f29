// Helpers for the GraphQL transport's tests: real clients (fetch, graphql-ws, graphql-sse) driven
// by the typed documents in codegen/generated.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { WebSocket } from "ws";

export { collect, eventually } from "./collect.js";

export type Variables = Record<string, unknown>;

/** A GraphQL error as the clients hand it over (parsed JSON). */
export interface GraphqlErrorJson {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { [key: string]: unknown };
}

export interface GraphqlResult<TData> {
  data?: TData | null;
  errors?: readonly GraphqlErrorJson[];
}

export interface HttpResult<TData> extends GraphqlResult<TData> {
  status: number;
}

/** POSTs one operation to /graphql with plain fetch. */
export async function postGraphql<TData, TVariables extends Variables>(
  baseUrl: string,
  document: TypedDocumentNode<TData, TVariables> | string,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<HttpResult<TData>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ query: typeof document === "string" ? document : print(document), variables }),
  });
  const body = (await response.json()) as GraphqlResult<TData>;
  return { status: response.status, ...body };
}

export function wsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, "ws")}/graphql`;
}

/**
 * One socket for all operations. It stays open between operations (a lazy client would close it as
 * its last subscription completes, which would hide whether completing alone frees a slot). With an
 * API key, it is sent in connection_init as `authorization: Bearer <key>`.
 */
export function graphqlWsClient(baseUrl: string, apiKey?: string): WsClient {
  return createWsClient({
    url: wsUrl(baseUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    ...(apiKey ? { connectionParams: { authorization: `Bearer ${apiKey}` } } : {}),
  });
}

/** graphql-sse in its default "distinct connections" mode: one SSE response per subscription. */
export function graphqlSseClient(baseUrl: string): SseClient<false> {
  return createSseClient({
    url: `${baseUrl}/graphql`,
    fetchFn: fetch,
    retryAttempts: 0,
    singleConnection: false,
  });
}

/** A typed subscription over either client. */
export function iterate<TData, TVariables extends Variables>(
  client: WsClient | SseClient<false>,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): AsyncIterableIterator<GraphqlResult<TData>> {
  return client.iterate<TData>({ query: print(document), variables });
}
