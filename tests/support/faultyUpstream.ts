// A small scripted OpenAI-compatible upstream (plain node:http), for the fault and forwarding cases:
// it answers GET (health) with 200 (and a LoRA adapter list), records every POST's path and JSON body, answers embeddings with
// a fixed vector per input, rerank with fixed scores, /infill as llama-server streams it, and
// /apply-template, /tokenize and /detokenize with fixed answers (in mode "ok"; the error modes as
// below),
// and answers a chat or text
// completion as `mode` says: a short valid stream, HTTP 500, 501, 429 or 400 with an OpenAI
// error body, a hang before the first byte, a stream that stalls (or dies) after two content chunks,
// one that dies right after its role chunk (before any output), one that holds after its role chunk
// until `release()`, or a short valid stream whose body ends in a later write than its `[DONE]` (as
// llama-server's may).
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FaultMode =
  | "ok"
  | "500"
  | "501"
  | "429"
  | "400"
  | "401"
  | "hang"
  | "stall"
  | "die"
  | "open-then-die"
  | "open-then-hold"
  | "split-end";

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
}

export interface FaultyUpstream {
  url: string;
  mode: FaultMode;
  /** Completion requests received (POSTs). */
  requests: number;
  /** Each POST's path and parsed body, in order. */
  recorded: RecordedRequest[];
  /** POSTs whose connection is still open (a request the gateway aborted closes its connection). */
  open: number;
  /** Connections that carried POSTs. */
  connections: number;
  /** Lets the streams held after their role chunk ("open-then-hold") go on, as "ok" streams. */
  release(): void;
  close(): Promise<void>;
}

/** The error messages the 429 and 400 modes send, as an upstream would word them. */
export const UPSTREAM_RATE_LIMIT_MESSAGE = "Rate limit reached for requests on this replica: retry in 7s";
export const UPSTREAM_INVALID_MESSAGE = "'top_logprobs' must be at most 5 on this replica";
export const UPSTREAM_UNAUTHORIZED_MESSAGE = "Invalid API Key";
/** The adapters `GET /lora-adapters` lists, as llama-server does. */
export const LORA_ADAPTERS = [
  { id: 0, path: "/adapters/style.gguf", scale: 1 },
  { id: 1, path: "/adapters/legal-v2.gguf", scale: 1 },
];
/** llama-server's answer to embeddings when it was started without them. */
export const UPSTREAM_NOT_SUPPORTED_MESSAGE =
  "This server does not support embeddings. Start it with `--embeddings`";

const send = (response: ServerResponse, body: unknown) => response.write(`data: ${JSON.stringify(body)}\n\n`);

function errorBody(mode: "500" | "501" | "429" | "400" | "401") {
  if (mode === "501")
    return { error: { code: 501, message: UPSTREAM_NOT_SUPPORTED_MESSAGE, type: "not_supported_error" } };
  if (mode === "429")
    return {
      error: { message: UPSTREAM_RATE_LIMIT_MESSAGE, type: "rate_limit_error", code: "rate_limit_exceeded" },
    };
  if (mode === "400")
    return {
      error: { message: UPSTREAM_INVALID_MESSAGE, type: "invalid_request_error", param: "top_logprobs" },
    };
  if (mode === "401")
    return { error: { message: UPSTREAM_UNAUTHORIZED_MESSAGE, type: "authentication_error", code: 401 } };
  return { error: { message: "injected failure" } };
}

export async function startFaultyUpstream(mode: FaultMode = "ok"): Promise<FaultyUpstream> {
  const sockets = new Set<Socket>();
  const postSockets = new WeakSet<Socket>();
  const held: (() => void)[] = [];
  const upstream: FaultyUpstream = {
    url: "",
    mode,
    requests: 0,
    recorded: [],
    open: 0,
    connections: 0,
    release: () => {
      for (const resume of held.splice(0)) resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      // llama-server's list of its LoRA adapters (`--lora`), by id; anything else (health) is `{}`.
      const body = request.url === "/lora-adapters" ? LORA_ADAPTERS : {};
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    upstream.requests++;
    if (!postSockets.has(request.socket)) {
      postSockets.add(request.socket);
      upstream.connections++;
    }
    upstream.open++;
    response.once("close", () => upstream.open--);
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      text += chunk;
    });
    request.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      upstream.recorded.push({ path: request.url ?? "", body });
      if (request.url === "/v1/embeddings" && upstream.mode === "ok") return answerEmbeddings(body, response);
      if (request.url === "/v1/rerank" && upstream.mode === "ok") return answerRerank(body, response);
      if (request.url === "/infill" && upstream.mode === "ok") return answerInfill(response);
      if (request.url === "/tokenize" && upstream.mode === "ok" && body.messages)
        // vLLM's tokenize of a chat: the rendered prompt's ids and their count.
        return answerJson(response, { count: 3, max_model_len: 4096, tokens: [5, 6, 7] });
      if (request.url === "/tokenize" && upstream.mode === "ok")
        // A piece that is not valid UTF-8 on its own comes as its bytes, as llama-server sends it.
        return answerJson(response, {
          tokens: [
            { id: 9, piece: "Hi" },
            { id: 7, piece: [226, 130] },
          ],
        });
      if (request.url === "/apply-template" && upstream.mode === "ok")
        return answerJson(response, { prompt: `<rendered ${JSON.stringify(body.messages)}>` });
      if (request.url === "/detokenize" && upstream.mode === "ok")
        // vLLM's field; llama-server's `content` is met by the real replicas' tests.
        return answerJson(response, { prompt: `detokenized ${JSON.stringify(body.tokens)}` });
      answer(upstream.mode, request.url === "/v1/completions", response);
    });
  });

  function answer(current: FaultMode, textCompletion: boolean, response: ServerResponse): void {
    if (current === "hang") return;
    if (
      current === "500" ||
      current === "501" ||
      current === "429" ||
      current === "400" ||
      current === "401"
    ) {
      response
        .writeHead(Number(current), {
          "content-type": "application/json",
          ...(current === "429" ? { "retry-after": "7" } : {}),
        })
        .end(JSON.stringify(errorBody(current)));
      return;
    }
    const choice = (fields: Record<string, unknown>, finishReason: string | null = null) => ({
      id: "x",
      object: textCompletion ? "text_completion" : "chat.completion.chunk",
      choices: [{ index: 0, ...fields, finish_reason: finishReason }],
    });
    const content = (value: string) => (textCompletion ? { text: value } : { delta: { content: value } });
    const dieSoon = () => setTimeout(() => response.socket?.destroy(), 20);
    /** The stream after its role chunk: two content chunks, then its end as `ending` says. */
    const streamOutput = (ending: FaultMode) => {
      send(response, choice(content("Hello")));
      send(response, choice(content(" there")));
      if (ending === "stall") return;
      if (ending === "die") {
        dieSoon();
        return;
      }
      send(response, choice(content(""), "stop"));
      send(response, { id: "x", choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } });
      if (ending === "split-end") {
        response.write("data: [DONE]\n\n");
        setImmediate(() => response.end());
        return;
      }
      response.end("data: [DONE]\n\n");
    };
    response.writeHead(200, { "content-type": "text/event-stream" });
    if (!textCompletion) send(response, choice({ delta: { role: "assistant" } }));
    if (current === "open-then-die") dieSoon();
    // Held streams go on as "ok" ones.
    else if (current === "open-then-hold") held.push(() => streamOutput("ok"));
    else streamOutput(current);
  }

  /** One vector per input, [0.6, 0.8] (unit length), and 3 prompt tokens per input. */
  function answerEmbeddings(body: Record<string, unknown>, response: ServerResponse): void {
    const input = body.input;
    const inputs = Array.isArray(input) && input.some((item) => typeof item !== "number") ? input.length : 1;
    const data = Array.from({ length: inputs }, (_, index) => ({
      object: "embedding",
      index,
      embedding: [0.6, 0.8],
    }));
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        object: "list",
        data,
        usage: { prompt_tokens: 3 * inputs, total_tokens: 3 * inputs },
      }),
    );
  }

  /** Each document scored 1 / (its position + 1), most relevant first as llama-server sorts them; 5 tokens a document. */
  function answerRerank(body: Record<string, unknown>, response: ServerResponse): void {
    const documents = body.documents as unknown[];
    const results = documents.map((_, index) => ({ index, relevance_score: 1 / (index + 1) }));
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        results,
        usage: { prompt_tokens: 5 * documents.length, total_tokens: 5 * documents.length },
      }),
    );
  }

  function answerJson(response: ServerResponse, body: unknown): void {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  /** llama-server's own stream: two pieces, then the totals with an empty piece, and no `[DONE]`. */
  function answerInfill(response: ServerResponse): void {
    response.writeHead(200, { "content-type": "text/event-stream" });
    send(response, { index: 0, content: "Hello", tokens: [], stop: false, tokens_evaluated: 7 });
    send(response, { index: 0, content: " there", tokens: [], stop: false, tokens_evaluated: 7 });
    send(response, {
      index: 0,
      content: "",
      tokens: [],
      stop: true,
      stop_type: "eos",
      tokens_predicted: 2,
      tokens_evaluated: 7,
      tokens_cached: 3,
    });
    response.end();
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}
