// A small fault-injecting OpenAI-compatible upstream (plain node:http), only for the fault cases: it
// answers /health, and a chat completion as `mode` says: a short valid stream, HTTP 500, a hang before
// the first byte, a stream that dies after two content chunks, or a short valid stream whose body ends
// in a later write than its `[DONE]` (as llama-server's may: two writes, two TCP segments).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FaultMode = "ok" | "500" | "hang" | "die" | "split-end";

export interface FaultyUpstream {
  url: string;
  mode: FaultMode;
  /** Chat completion requests received. */
  requests: number;
  /** Connections that carried chat completion requests. */
  connections: number;
  close(): Promise<void>;
}

const chunk = (response: ServerResponse, body: unknown) =>
  response.write(`data: ${JSON.stringify(body)}\n\n`);
const delta = (content: string) => ({
  id: "x",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

export async function startFaultyUpstream(mode: FaultMode = "ok"): Promise<FaultyUpstream> {
  const sockets = new Set<Socket>();
  const completionSockets = new WeakSet<Socket>();
  const upstream: FaultyUpstream = {
    url: "",
    mode,
    requests: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    request.resume();
    upstream.requests++;
    if (!completionSockets.has(request.socket)) {
      completionSockets.add(request.socket);
      upstream.connections++;
    }
    const current = upstream.mode;
    if (current === "hang") return;
    if (current === "500") {
      response
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: "injected failure" } }));
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    chunk(response, {
      ...delta(""),
      choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }],
    });
    chunk(response, delta("Hello"));
    chunk(response, delta(" there"));
    if (current === "die") {
      setTimeout(() => request.socket.destroy(), 20);
      return;
    }
    chunk(response, { id: "x", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    chunk(response, { id: "x", choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } });
    if (current === "split-end") {
      response.write("data: [DONE]\n\n");
      setImmediate(() => response.end());
      return;
    }
    response.end("data: [DONE]\n\n");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}
