// Serves appRouter at /trpc on the shared HTTP server: HTTP (batched queries and mutations, SSE
// subscriptions) and WebSocket (upgrades routed here by path).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TRPCError } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { applyWSSHandler, type CreateWSSContextFnOptions } from "@trpc/server/adapters/ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { type DomainError, retryAfterSecondsOf } from "../../errors.js";
import type { Resolvers } from "../../resolvers/index.js";
import { AccessControl, credentialFromConnectionParams } from "../../security/accessControl.js";
import { type HttpMount, pathPrefixMatcher } from "../httpMount.js";
import { isWebSocketProtocolError, MAX_BODY_BYTES, MAX_WEBSOCKET_MESSAGE_BYTES } from "../requestLimits.js";
import { requestOriginOf } from "../requestOrigin.js";
import { toTrpcError } from "./errors.js";
import { appRouter } from "./router.js";
import { serveSseSubscription } from "./sseSubscriptions.js";
import type { TrpcContext } from "./trpc.js";

export const TRPC_PATH = "/trpc";

/** How long sockets get to take their last messages and the close frame at shutdown. */
const CLOSE_GRACE_MS = 1000;
/** WebSocket close code 1008: the client broke the server's policy (here: no API key). */
const WS_POLICY_VIOLATION = 1008;
/** Time for a refused call's error to go out before its socket is closed. */
const CLOSE_AFTER_REFUSAL_MS = 100;
/** How long a socket without a valid key stays open when it makes no call. */
const UNAUTHENTICATED_SOCKET_MS = 5000;

export interface TrpcMountOptions {
  /** API keys and rate limits for WebSocket connections and their operations (HTTP is checked by the server). */
  access?: AccessControl;
  /**
   * SSE subscriptions written by sseSubscriptions.ts (the default) or, false, by tRPC's own
   * handler: the tests compare the two byte for byte.
   */
  nativeSse?: boolean;
}

export function createTrpcMount(
  resolvers: Resolvers,
  logger: Logger,
  { access = new AccessControl(), nativeSse = true }: TrpcMountOptions = {},
): HttpMount {
  const createContext = ({ req }: { req: IncomingMessage }): TrpcContext => ({
    resolvers,
    logger,
    origin: requestOriginOf(req),
  });
  // Over a WebSocket the API key comes in connectionParams, and each operation counts toward the
  // rate limit. A context that fails would make tRPC send an error that answers no call and close
  // the socket at once, which a client sees as a bare disconnect (and retries). So a socket without
  // a valid key gets a context on which every call is refused with UNAUTHORIZED, before it runs,
  // and the socket is closed right after its first refusal (or soon, if it makes no call).
  const createWsContext = ({ req, res, info }: CreateWSSContextFnOptions): TrpcContext => {
    try {
      const client = access.authenticateConnection(req, info.connectionParams);
      return { ...createContext({ req }), admitOperation: () => access.admit(client) };
    } catch (error) {
      const closeIn = (ms: number) =>
        setTimeout(() => res.close(WS_POLICY_VIOLATION, "Unauthorized"), ms).unref();
      closeIn(UNAUTHENTICATED_SOCKET_MS);
      return {
        ...createContext({ req }),
        admitOperation: () => {
          closeIn(CLOSE_AFTER_REFUSAL_MS);
          throw error;
        },
      };
    }
  };
  const onError = ({ error, path, type }: { error: TRPCError; path: string | undefined; type: string }) => {
    const translated = toTrpcError(error);
    if (isWebSocketProtocolError(translated.cause))
      logger.debug({ err: translated.cause, type }, "tRPC ws: client broke the protocol");
    else if (translated.code === "INTERNAL_SERVER_ERROR")
      logger.error({ err: translated.cause ?? translated, path, type }, "tRPC procedure failed");
  };
  /** Serves a request, or (given `refusal`) answers each of its calls with that error before routing them. */
  const handleHttp = (req: IncomingMessage, res: ServerResponse, refusal?: DomainError): Promise<void> =>
    nodeHTTPRequestHandler({
      router: appRouter,
      createContext,
      // An error passed to `next` fails every call before tRPC looks its procedure up, so a refused
      // request learns nothing of the router (an unknown procedure is a 401 too, not a 404).
      middleware: refusal ? (_req, _res, next) => next(refusal) : undefined,
      onError,
      req,
      res,
      path: procedurePath(req),
      maxBodySize: MAX_BODY_BYTES,
      responseMeta: ({ errors }) => {
        const retryAfter = errors
          .map((error) => retryAfterSecondsOf(error.cause))
          .find((seconds) => seconds !== undefined);
        return retryAfter !== undefined ? { headers: { "retry-after": String(retryAfter) } } : {};
      },
    });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES });
  applyWSSHandler({
    wss,
    router: appRouter,
    createContext: createWsContext,
    onError,
    // Finds clients that vanished without closing, so their generations stop.
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
  });

  return {
    name: "trpc",
    matches: pathPrefixMatcher(TRPC_PATH),
    // Browsers' EventSource cannot send headers: httpSubscriptionLink's `connectionParams` carry the key.
    credentialOf: (req) => credentialFromConnectionParams(connectionParamsOf(req)),
    // tRPC answers the refusal in its own shape (single or batched call, or SSE).
    refuse: (req, res, error: DomainError) => handleHttp(req, res, error),
    handle: (req, res) =>
      (nativeSse
        ? serveSseSubscription({ router: appRouter, createContext, onError }, req, res, procedurePath(req))
        : undefined) ?? handleHttp(req, res),
    upgrade: (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req)),
    close: async () => {
      const cutOff = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      for (const client of wss.clients) client.close(1001, "Server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(cutOff);
    },
  };
}

/** `/trpc/chat.create,models.list` → `chat.create,models.list` (tRPC splits batches itself). */
function procedurePath(req: IncomingMessage): string {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  return pathname.slice(TRPC_PATH.length).replace(/^\/+|\/+$/g, "");
}

/** The JSON `connectionParams` query parameter httpSubscriptionLink sends, when there is one. */
function connectionParamsOf(req: IncomingMessage): unknown {
  const raw = new URL(req.url ?? "/", "http://localhost").searchParams.get("connectionParams");
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
