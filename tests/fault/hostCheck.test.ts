// DNS rebinding: a page on another site makes its own name resolve to 127.0.0.1 and calls the open
// local server "same-origin". Its requests still carry that name as Host, so the server answers
// only the names it is known by (loopback names, IP addresses, --host, --allowed-hosts) and refuses
// the rest with 403 in each transport's shape, WebSocket handshakes included.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { startTestServer } from "../support/startTestServer.js";

interface RawResponse {
  status: number;
  body: string;
}

/** A request to the server's address that names `host` in its Host header (as a rebound page's would). */
function requestWithHost(
  app: RunningInferql,
  host: string,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, app.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: init.method ?? "GET",
        headers: { host, "content-type": "application/json", accept: "application/json" },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(init.body);
  });
}

/** The status of a WebSocket handshake that names `host`: 101 when accepted. */
function upgradeStatusWithHost(app: RunningInferql, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${app.url.replace(/^http/, "ws")}${path}`, "graphql-transport-ws", {
      headers: { host },
    });
    socket.on("open", () => {
      socket.close();
      resolve(101);
    });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    socket.on("error", reject);
  });
}

const chatBody = JSON.stringify({
  model: "tiny",
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 1,
});

describe("with no --allowed-hosts", () => {
  let app: RunningInferql;
  let port: string;

  beforeAll(async () => {
    app = await startTestServer();
    port = new URL(app.url).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  it("refuses a rebound name with 403 in the OpenAI shape, before anything runs", async () => {
    const response = await requestWithHost(app, `evil.example:${port}`, "/v1/chat/completions", {
      method: "POST",
      body: chatBody,
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      error: { type: "permission_error", code: "host_not_allowed" },
    });
    expect(response.body).toContain("--allowed-hosts");
  });

  it("refuses it in GraphQL's shape on /graphql", async () => {
    const response = await requestWithHost(app, "evil.example", "/graphql", {
      method: "POST",
      body: JSON.stringify({ query: "{ health { status } }" }),
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe("HOST_NOT_ALLOWED");
  });

  it("refuses it as FORBIDDEN to the tRPC client", async () => {
    const client = createInferqlClient(app.url);
    const response = await requestWithHost(app, "evil.example", "/trpc/models.list");
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.data.code).toBe("FORBIDDEN");
    // The same server answers that client at its real address.
    expect(await client.models.list.query()).toEqual(expect.any(Array));
  });

  it("refuses WebSocket handshakes that name it", async () => {
    expect(await upgradeStatusWithHost(app, "evil.example", "/graphql")).toBe(403);
    expect(await upgradeStatusWithHost(app, "evil.example", "/trpc")).toBe(403);
    expect(await upgradeStatusWithHost(app, `localhost:${port}`, "/graphql")).toBe(101);
  });

  it("answers loopback names and IP addresses on any port", async () => {
    for (const host of [`localhost:${port}`, "localhost", `127.0.0.1:${port}`, "[::1]:9", "LOCALHOST."]) {
      const response = await requestWithHost(app, host, "/v1/models");
      expect(response.status, host).toBe(200);
    }
  });

  it("refuses names that only contain an allowed one", async () => {
    for (const host of ["localhost.evil.example", "evil-localhost", "127.0.0.1.evil.example"]) {
      const response = await requestWithHost(app, host, "/v1/models");
      expect(response.status, host).toBe(403);
    }
  });
});

describe("with --allowed-hosts", () => {
  let app: RunningInferql;

  beforeAll(async () => {
    app = await startTestServer({
      flags: ["--allowed-hosts", "api.example.com", "--allowed-hosts", ".corp.test"],
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("answers the listed names (a reverse proxy's), a listed domain's subdomains, and still loopback", async () => {
    for (const host of [
      "api.example.com",
      "API.example.com:443",
      "corp.test",
      "llm.corp.test",
      "localhost",
    ]) {
      const response = await requestWithHost(app, host, "/v1/models");
      expect(response.status, host).toBe(200);
    }
  });

  it("still refuses other names", async () => {
    const response = await requestWithHost(app, "evil.example", "/v1/models");
    expect(response.status).toBe(403);
  });
});

describe("with --allowed-hosts '*'", () => {
  let app: RunningInferql;

  beforeAll(async () => {
    app = await startTestServer({ flags: ["--allowed-hosts", "*"] });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("answers any Host", async () => {
    const response = await requestWithHost(app, "evil.example", "/v1/models");
    expect(response.status).toBe(200);
  });
});
