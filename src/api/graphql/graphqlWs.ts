// GraphQL over WebSocket (graphql-ws protocol) on the GraphQL path: the same yoga instance, so the
// same schema, context, validation rules, error masking and logging as over HTTP (yoga's
// graphql-ws recipe, through `getEnveloped`).
import { setMaxListeners } from "node:events";
import { type ExecutionArgs, GraphQLError } from "graphql";
import { CloseCode } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";
import { DomainError } from "../../errors.js";
import type { AccessControl, ClientId } from "../../security/accessControl.js";
import { toGraphqlError, withoutYogaInternals } from "./errorHandling.js";
import { useGraphqlWsServer } from "./wsBinding.js";
import type { GraphqlYoga } from "./yoga.js";

/** How long sockets get to answer the close handshake at shutdown. */
const CLOSE_GRACE_MS = 1000;

type Enveloped = ReturnType<GraphqlYoga["getEnveloped"]>;

/** Carries an operation's enveloped execute/subscribe from onSubscribe to graphql-ws's execute/subscribe. */
class EnvelopedRoot {
  constructor(
    readonly execute: Enveloped["execute"],
    readonly subscribe: Enveloped["subscribe"],
  ) {}
}

function envelopedRootOf(args: ExecutionArgs): EnvelopedRoot {
  if (args.rootValue instanceof EnvelopedRoot) return args.rootValue;
  throw new Error("graphql-ws operation without the enveloped root set by onSubscribe");
}

export interface GraphqlWsServer {
  /** Closes every socket (their subscriptions end and free their slots) and stops the server. */
  dispose(): Promise<void>;
}

export function serveGraphqlWs(
  yoga: GraphqlYoga,
  wsServer: WebSocketServer,
  access: AccessControl,
): GraphqlWsServer {
  const socketSignals = new WeakMap<WebSocket, AbortSignal>();
  /** The client each acknowledged socket acts for (its API key, or its address when keys are off). */
  const socketClients = new WeakMap<WebSocket, ClientId>();
  /** Aborts when the socket closes: what a mutation over this socket passes to its resolver. */
  const signalFor = (socket: WebSocket): AbortSignal => {
    let signal = socketSignals.get(socket);
    if (!signal) {
      const controller = new AbortController();
      // Every operation in flight on the socket listens to it, and graphql-ws multiplexes any
      // number: no listener count here is a leak (Node warns past 10 by default).
      setMaxListeners(0, controller.signal);
      if (socket.readyState === socket.CLOSED) controller.abort();
      else socket.once("close", () => controller.abort());
      signal = controller.signal;
      socketSignals.set(socket, signal);
    }
    return signal;
  };

  const server = useGraphqlWsServer(
    {
      execute: (args) => envelopedRootOf(args).execute(args),
      subscribe: (args) => envelopedRootOf(args).subscribe(args),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(withoutYogaInternals) } : undefined,
      // The API key travels in connection_init's payload, `{ authorization: "Bearer <key>" }`: no
      // operation runs before it is checked (graphql-ws itself closes a socket that subscribes first).
      onConnect: (ctx) => {
        try {
          socketClients.set(
            ctx.extra.socket,
            access.authenticateConnection(ctx.extra.request, ctx.connectionParams),
          );
          return true;
        } catch {
          ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized");
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const client = socketClients.get(ctx.extra.socket);
        try {
          if (client !== undefined) await access.admit(client);
        } catch (error) {
          if (error instanceof DomainError) return [toGraphqlError(error)];
          throw error;
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          socketSignal: signalFor(ctx.extra.socket),
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          // A syntax error is the client's: answer it as an error message instead of closing the socket.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.map(withoutYogaInternals);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: new EnvelopedRoot(execute, subscribe),
        };
      },
    },
    wsServer,
  );

  return {
    async dispose() {
      // graphql-ws closes each socket politely; a client that never answers the close is cut off.
      const cutOff = setTimeout(() => {
        for (const socket of wsServer.clients) socket.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await server.dispose();
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}
