// graphql-ws's server on `ws` sockets: graphql-ws's own `useServer` (graphql-ws/use/ws), with two
// changes to how a message is sent, neither of which changes a byte on the wire:
// - a send does not wait for the socket to have written the message: graphql-ws awaits every send
//   before it takes the next event, and `useServer` resolved only on ws's write callback, so each
//   event cost a turn of the event loop and a `writev` of its own. Here a send returns at once while
//   the socket's buffer is under its high-water mark, and waits for it to drain beyond it (the
//   backpressure of the OpenAI layer's SSE responses);
// - the socket is corked from the first message of a tick until the next tick, as Node's HTTP
//   responses are, so the frames written in one tick (several events, several subscriptions of the
//   socket) leave in one `writev`.
// Close reasons never carry internal error messages (useServer's `isProd`).

import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";

export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** graphql-ws's default: a ping every 12 s, and a socket that does not answer within 12 s more is cut. */
const KEEP_ALIVE_MS = 12_000;

export function useGraphqlWsServer(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  wsServer: WebSocketServer,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.once("error", (error) => {
    console.error("Internal error emitted on the WebSocket server.", error);
    for (const client of wsServer.clients)
      client.close(CloseCode.InternalServerError, "Internal server error");
  });
  wsServer.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    socket.once("error", (error) => {
      console.error("Internal error emitted on a WebSocket socket.", error);
      socket.close(CloseCode.InternalServerError, "Internal server error");
    });
    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once("pong", () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, KEEP_ALIVE_MS);

    // The TCP socket under the WebSocket: an upgrade request's socket is the one ws took over.
    const raw = request.socket as Socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      raw.uncork();
    };
    const send = (data: string): Promise<void> | undefined => {
      if (socket.readyState !== socket.OPEN) return;
      if (!corked) {
        corked = true;
        raw.cork();
        process.nextTick(uncork);
      }
      socket.send(data);
      // Over the socket's high-water mark: wait until it has written its buffer out.
      if (!raw.writableNeedDrain || raw.destroyed) return;
      return new Promise<void>((resolve) => {
        const settle = () => {
          raw.off("drain", settle);
          raw.off("close", settle);
          resolve();
        };
        raw.on("drain", settle);
        raw.on("close", settle);
      });
    };

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage: (callback) =>
          socket.on("message", async (event) => {
            try {
              await callback(String(event));
            } catch (error) {
              console.error("Internal error occurred during message handling.", error);
              socket.close(CloseCode.InternalServerError, "Internal server error");
            }
          }),
      },
      { socket, request },
    );
    socket.once("close", (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, "Going away");
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) =>
        wsServer.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
