// The proxy floor (`--gateway`): a node:http proxy that forwards each request's bytes to one
// upstream and streams the answer back as it arrives, with nothing of inferql in between: no
// routing, keys, validation, scheduler or translation. Measured beside the gateway with the same
// client, it is what any gateway written on Node costs on the machine (two more loopback hops and
// one more event loop); the gateway's overhead above it is inferql's own. A reference, not a product.
import http from "node:http";

export interface ProxyFloor {
  url: string;
  close(): Promise<void>;
}

/** Hop-by-hop headers: each side of the proxy sets its own. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export async function startProxyFloor(upstreamUrl: string): Promise<ProxyFloor> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: endToEnd(request.headers),
        agent,
      },
      (answer) => {
        response.socket?.setNoDelay(true);
        response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.on("data", (chunk: Buffer) => response.write(chunk));
        answer.on("end", () => response.end());
      },
    );
    forwarded.setNoDelay(true);
    forwarded.on("error", () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
