// Ollama's native API (/api/*) through the official `ollama` client library, as Open WebUI and the
// editors' Ollama providers call it: the model list and descriptions, chat and generate streamed and
// not, tool calls and thinking from the scripted Qwen fixtures, structured output and logprobs on the
// tiny model, infill through `suffix`, embeddings, cancellation, and errors in Ollama's shape; then
// LangChain JS's ChatOllama and OllamaEmbeddings, which call it through that library.
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOllama, OllamaEmbeddings } from "@langchain/ollama";
import { type Message, Ollama, type Tool } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningInferql } from "../../src/app.js";
import { eventually } from "../support/collect.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { FIM_ANSWER, FIM_SELECTOR, fimFixturePath } from "../support/fimFixture.js";
import { startTestServer } from "../support/startTestServer.js";

let app: RunningInferql;
let ollama: Ollama;

beforeAll(async () => {
  app = await startTestServer({
    flags: [
      ["--model", `qwen2.5=${familyFixturePath("qwen2.5")}`],
      ["--model", `qwen3=${familyFixturePath("qwen3")}`],
      ["--model", `coder=${fimFixturePath()}`],
    ].flat(),
  });
  ollama = new Ollama({ host: app.url });
});

afterAll(async () => {
  await app?.close();
});

// The scripted answers' argument values must not occur in prompts (they steer the scripts).
const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const timeTool: Tool = {
  type: "function",
  function: {
    name: "get_time",
    description: "The time in a zone",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
};
const ask = (selector: string): Message[] => [{ role: "user", content: `Please answer ${selector}` }];

/** The status and body of a raw request, for what the client library hides. */
async function post(path: string, body: unknown): Promise<{ status: number; body: unknown; type: string }> {
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.json(),
  };
}

/** What the client throws for an error answer: its message and status. */
async function failure(request: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await request.then(
    () => expect.unreachable("the request should have failed"),
    (reason: unknown) => reason as { status_code: number; error: string },
  );
  return { status: error.status_code, message: error.error };
}

describe("the model list", () => {
  it("lists every served model with its details (/api/tags)", async () => {
    const { models } = await ollama.list();
    // With Ollama's default tag, which requests may leave out.
    expect(models.map((model) => model.name)).toEqual([
      "tiny:latest",
      "qwen2.5:latest",
      "qwen3:latest",
      "coder:latest",
    ]);
    const qwen = models.find((model) => model.name === "qwen2.5:latest");
    expect(qwen).toMatchObject({
      model: "qwen2.5:latest",
      details: { format: "gguf", family: "qwen2", families: ["qwen2"], parent_model: "" },
    });
    expect(qwen?.size).toBeGreaterThan(0);
    expect(qwen?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(qwen?.details.parameter_size).toMatch(/^\d+\.\d[KMB]$/);
    expect(qwen?.details.quantization_level).toMatch(/^(F32|F16|Q8_0)$/);
    expect(new Date(qwen?.modified_at ?? "").getTime()).not.toBeNaN();
  });

  it("lists the loaded models with their context length (/api/ps)", async () => {
    const { models } = await ollama.ps();
    expect(models.map((model) => model.name)).toContain("qwen3:latest");
    const qwen3 = models.find((model) => model.name === "qwen3:latest") as unknown as {
      context_length: number;
    };
    expect(qwen3.context_length).toBeGreaterThan(0);
  });

  it("describes a model's capabilities and architecture (/api/show), by name or name:latest", async () => {
    const shown = await ollama.show({ model: "qwen3" });
    expect(shown.capabilities).toEqual(["completion", "tools", "thinking", "embedding"]);
    expect(shown.details.family).toBe("qwen3");
    // The context one request can use here (the test server's slots), which clients budget prompts by.
    const { contextSize } = app.registry.get("qwen3").info();
    expect(shown.model_info).toMatchObject({
      "general.architecture": "qwen3",
      "qwen3.context_length": contextSize,
    });
    expect(shown.parameters).toBe(`num_ctx ${contextSize}`);
    const tagged = await ollama.show({ model: "qwen2.5:latest" });
    expect(tagged.details.family).toBe("qwen2");
  });

  it("answers its API version", async () => {
    const { version } = await ollama.version();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("chat", () => {
  it("answers a message with the done reason and counts (stream: false)", async () => {
    const answer = await ollama.chat({
      model: "qwen2.5",
      messages: ask("@@plain"),
      options: { temperature: 0 },
    });
    expect(answer).toMatchObject({
      model: "qwen2.5",
      message: { role: "assistant", content: "Hello there" },
      done: true,
      done_reason: "stop",
      eval_count: 2,
      load_duration: 0,
    });
    expect(answer.prompt_eval_count).toBeGreaterThan(0);
    expect(answer.total_duration).toBeGreaterThanOrEqual(answer.eval_duration);
  });

  it("streams NDJSON objects whose contents make the answer, the last with done: true", async () => {
    const response = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "qwen2.5:latest",
        messages: ask("@@plain"),
        options: { temperature: 0 },
      }),
    });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.message.content).join("")).toBe("Hello there");
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
    // The model named as the request named it, as Ollama echoes it.
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: "stop",
      eval_count: 2,
      model: "qwen2.5:latest",
    });
  });

  it("returns a tool call with its arguments as an object, streamed and not", async () => {
    const answer = await ollama.chat({
      model: "qwen2.5",
      messages: ask("@@call"),
      tools: [weatherTool],
      options: { temperature: 0 },
    });
    expect(answer.message.tool_calls).toEqual([
      { id: expect.any(String), function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } },
    ]);
    expect(answer.done_reason).toBe("stop");

    const calls: unknown[] = [];
    const stream = await ollama.chat({
      model: "qwen2.5",
      messages: ask("@@two"),
      tools: [weatherTool, timeTool],
      options: { temperature: 0 },
      stream: true,
    });
    for await (const chunk of stream) calls.push(...(chunk.message.tool_calls ?? []));
    expect(calls).toMatchObject([
      { function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } },
      { function: { index: 1, name: "get_time", arguments: { zone: "UTC" } } },
    ]);
  });

  it("accepts a tool loop's next turn: the call as sent back and a result naming its tool", async () => {
    const first = await ollama.chat({
      model: "qwen2.5",
      messages: ask("@@call"),
      tools: [weatherTool],
      options: { temperature: 0 },
    });
    const next = await ollama.chat({
      model: "qwen2.5",
      messages: [
        ...ask("@@call"),
        first.message,
        { role: "tool", tool_name: "get_weather", content: "Sunny, 21 degrees" },
      ],
      tools: [weatherTool],
      options: { temperature: 0 },
    });
    expect(next.done).toBe(true);
    expect(next.prompt_eval_count).toBeGreaterThan(first.prompt_eval_count);
  });

  it("returns a thinking model's reasoning as thinking, apart from the content", async () => {
    const answer = await ollama.chat({
      model: "qwen3",
      messages: ask("@@think"),
      think: true,
      options: { temperature: 0 },
    });
    expect(answer.message).toMatchObject({ content: "Sunny today", thinking: "Let me think" });

    let thinking = "";
    let content = "";
    const stream = await ollama.chat({
      model: "qwen3",
      messages: ask("@@think"),
      options: { temperature: 0 },
      stream: true,
    });
    for await (const chunk of stream) {
      thinking += chunk.message.thinking ?? "";
      content += chunk.message.content;
    }
    expect({ thinking, content }).toEqual({ thinking: "Let me think", content: "Sunny today" });
  });

  it("think: false turns a thinking model's reasoning off in its template (Qwen3's enable_thinking)", async () => {
    const request = { model: "qwen3", messages: ask("@@plain"), options: { temperature: 0, num_predict: 1 } };
    const thinking = await ollama.chat(request);
    const notThinking = await ollama.chat({ ...request, think: false });
    // The template closes an empty reasoning block in the prompt instead.
    expect(notThinking.prompt_eval_count).toBeGreaterThan(thinking.prompt_eval_count);
  });

  it("follows a JSON schema given as format", async () => {
    const schema = {
      type: "object",
      properties: { color: { type: "string", enum: ["red", "green", "blue"] }, done: { type: "boolean" } },
      required: ["color", "done"],
    };
    const answer = await ollama.chat({ model: "tiny", messages: ask("a verdict"), format: schema });
    const verdict = JSON.parse(answer.message.content);
    expect(["red", "green", "blue"]).toContain(verdict.color);
    expect(typeof verdict.done).toBe("boolean");
  });

  it("ends at options.num_predict with done_reason length, and reports logprobs when asked", async () => {
    const answer = await ollama.chat({
      model: "tiny",
      messages: ask("anything"),
      options: { num_predict: 4, seed: 7 },
      logprobs: true,
      top_logprobs: 2,
    });
    expect(answer).toMatchObject({ done_reason: "length", eval_count: 4 });
    expect(answer.logprobs).toHaveLength(4);
    for (const entry of answer.logprobs ?? []) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
    }
  });

  it("answers an empty conversation as a load, as Ollama does to preload a model", async () => {
    const answer = await ollama.chat({ model: "qwen2.5", messages: [] });
    expect(answer).toMatchObject({
      done: true,
      done_reason: "load",
      message: { role: "assistant", content: "" },
    });
  });

  it("aborting a stream cancels the generation and frees its slot", async () => {
    const reasons: string[] = [];
    const unsubscribe = app.scheduler.onEvent((event) => {
      if (event.type === "finished") reasons.push(event.reason);
    });
    try {
      const client = new Ollama({ host: app.url });
      const stream = await client.chat({
        model: "tiny",
        messages: ask("a long story"),
        options: { num_predict: 2000 },
        stream: true,
      });
      await expect(
        (async () => {
          for await (const _chunk of stream) stream.abort();
        })(),
      ).rejects.toThrow();
      await eventually(() => app.scheduler.state().busySlots === 0 && app.scheduler.activeCount === 0);
      expect(reasons).toEqual(["cancelled"]);
    } finally {
      unsubscribe();
    }
  });
});

describe("generate", () => {
  it("wraps the prompt in the model's template, with a system prompt", async () => {
    const answer = await ollama.generate({
      model: "qwen2.5",
      prompt: "Please answer @@plain",
      system: "You are terse.",
      options: { temperature: 0 },
    });
    expect(answer).toMatchObject({ response: "Hello there", done: true, done_reason: "stop", eval_count: 2 });
  });

  it("streams thinking and response pieces", async () => {
    let thinking = "";
    let response = "";
    const stream = await ollama.generate({
      model: "qwen3",
      prompt: "Please answer @@think",
      options: { temperature: 0 },
      stream: true,
    });
    for await (const chunk of stream) {
      thinking += chunk.thinking ?? "";
      response += chunk.response;
    }
    expect({ thinking, response }).toEqual({ thinking: "Let me think", response: "Sunny today" });
  });

  it("continues a raw prompt as is", async () => {
    const answer = await ollama.generate({
      model: "tiny",
      prompt: "Once upon",
      raw: true,
      options: { num_predict: 5 },
    });
    expect(answer).toMatchObject({ done: true, done_reason: "length", eval_count: 5 });
    expect(answer.response?.length).toBeGreaterThan(0);
  });

  it("fills the middle when a suffix is given", async () => {
    const answer = await ollama.generate({
      model: "coder",
      prompt: `# ${FIM_SELECTOR}\ndef add(a, b):\n    `,
      suffix: "\n\nprint(add(1, 2))\n",
      options: { temperature: 0 },
    });
    expect(answer.response).toBe(FIM_ANSWER);
  });
});

describe("embeddings", () => {
  it("embeds each input as a unit-length vector (/api/embed)", async () => {
    const answer = await ollama.embed({ model: "tiny", input: ["first text", "second text"] });
    expect(answer.embeddings).toHaveLength(2);
    for (const vector of answer.embeddings) {
      const norm = Math.hypot(...vector);
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(answer.prompt_eval_count).toBeGreaterThan(0);
  });

  it("cuts an input longer than the context to its length, as Ollama does unless truncate is false", async () => {
    const { contextSize } = app.registry.get("tiny").info();
    const long = "word ".repeat(contextSize + 500);
    const cut = await ollama.embed({ model: "tiny", input: long });
    expect(cut.embeddings).toHaveLength(1);
    // What fits beside the model's special tokens, one cell left free (node-llama-cpp's rule).
    expect(cut.prompt_eval_count).toBeGreaterThanOrEqual(contextSize - 3);
    expect(cut.prompt_eval_count).toBeLessThan(contextSize);
    const refused = await post("/api/embed", { model: "tiny", input: long, truncate: false });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: expect.stringContaining("Embedding input is") });
  });

  it("embeds one prompt without normalizing (/api/embeddings)", async () => {
    const { embedding } = await ollama.embeddings({ model: "tiny", prompt: "first text" });
    const [unit] = (await ollama.embed({ model: "tiny", input: "first text" })).embeddings;
    expect(embedding).toHaveLength(unit.length);
    const norm = Math.hypot(...embedding);
    expect(norm).not.toBeCloseTo(1, 3);
    expect(embedding[0] / norm).toBeCloseTo(unit[0], 5);
  });
});

describe("errors, in Ollama's shape", () => {
  it("an unknown model is a 404", async () => {
    const error = await failure(ollama.chat({ model: "nope", messages: ask("@@plain") }));
    expect(error.status).toBe(404);
    expect(error.message).toContain("nope");
    expect((await post("/api/show", { model: "nope" })).status).toBe(404);
  });

  it("an option out of range is a 400 naming it as sent", async () => {
    const answer = await post("/api/chat", {
      model: "tiny",
      messages: ask("x"),
      options: { temperature: 5 },
      stream: false,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: expect.stringContaining("options.temperature") });
  });

  it("sampling that is not supported is refused, not dropped", async () => {
    const error = await failure(ollama.chat({ model: "tiny", messages: ask("x"), options: { mirostat: 2 } }));
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining("options.mirostat") });
    const neutral = await ollama.chat({
      model: "tiny",
      messages: ask("x"),
      options: { mirostat: 0, typical_p: 1, num_ctx: 4096, num_predict: 1 },
    });
    expect(neutral.done).toBe(true);
  });

  it("images are a 400: the served models read text only", async () => {
    const error = await failure(
      ollama.chat({ model: "tiny", messages: [{ role: "user", content: "x", images: ["aGVsbG8="] }] }),
    );
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining("images") });
  });

  it("the model store is a 501 that says why", async () => {
    const error = await failure(ollama.pull({ model: "llama3.2" }));
    expect(error).toMatchObject({ status: 501, message: expect.stringContaining("--model") });
  });

  it("a malformed body is a 400 and the server keeps serving", async () => {
    const response = await fetch(`${app.url}/api/chat`, { method: "POST", body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    const answer = await ollama.chat({
      model: "qwen2.5",
      messages: ask("@@plain"),
      options: { temperature: 0 },
    });
    expect(answer.message.content).toBe("Hello there");
  });
});

describe("LangChain's ChatOllama", () => {
  const chatModel = (model: string, fields: { think?: boolean } = {}) =>
    new ChatOllama({ baseUrl: app.url, model, temperature: 0, ...fields });

  it("invoke returns the answer with its token usage", async () => {
    const answer = await chatModel("qwen2.5").invoke("Please answer @@plain");
    expect(answer.content).toBe("Hello there");
    expect(answer.usage_metadata).toMatchObject({ output_tokens: 2 });
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(answer.response_metadata).toMatchObject({ done_reason: "stop" });
  });

  it("stream yields the answer in pieces", async () => {
    const pieces: string[] = [];
    for await (const chunk of await chatModel("qwen2.5").stream("Please answer @@plain"))
      pieces.push(String(chunk.content));
    expect(pieces.join("")).toBe("Hello there");
  });

  it("keeps a thinking model's reasoning apart (think: true)", async () => {
    const answer = await chatModel("qwen3", { think: true }).invoke("Please answer @@think");
    expect(answer.content).toBe("Sunny today");
    expect(answer.additional_kwargs.reasoning_content).toBe("Let me think");
  });

  it("bindTools: the call comes back parsed, and a ToolMessage with its result is accepted", async () => {
    const getWeather = tool(async ({ city }) => `sunny in ${city.length} letters`, {
      name: "get_weather",
      description: "The weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const model = chatModel("qwen2.5").bindTools([getWeather]);
    const question = new HumanMessage("Please answer @@call");
    const call = await model.invoke([question]);
    expect(call.tool_calls).toMatchObject([{ name: "get_weather", args: { city: "Paris" } }]);
    const [toolCall] = call.tool_calls ?? [];
    const result = await getWeather.invoke(toolCall.args as { city: string });
    const next = await model.invoke([
      question,
      call,
      new ToolMessage({ content: result, tool_call_id: toolCall.id ?? "", name: "get_weather" }),
    ]);
    expect(next.response_metadata).toMatchObject({ done: true });
  });

  it("withStructuredOutput follows the schema through format", async () => {
    const verdictSchema = z.object({
      color: z.enum(["red", "green", "blue"]),
      count: z.number().int().min(0).max(9),
      done: z.boolean(),
    });
    const verdict = await chatModel("tiny").withStructuredOutput(verdictSchema).invoke("Give a verdict");
    expect(verdictSchema.parse(verdict)).toEqual(verdict);
  });

  it("OllamaEmbeddings embeds documents and a query", async () => {
    const embeddings = new OllamaEmbeddings({ baseUrl: app.url, model: "tiny" });
    const documents = await embeddings.embedDocuments(["first text", "second text"]);
    const query = await embeddings.embedQuery("first text");
    expect(documents).toHaveLength(2);
    expect(query).toHaveLength(documents[0].length);
    expect(query[0]).toBeCloseTo(documents[0][0], 5);
  });
});

describe("with an API key", () => {
  let keyed: RunningInferql;

  beforeAll(async () => {
    keyed = await startTestServer({ flags: ["--api-key", "secret-key"] });
  });

  afterAll(async () => {
    await keyed?.close();
  });

  it("takes the key as a Bearer header and refuses a request without it in Ollama's shape", async () => {
    const withKey = new Ollama({ host: keyed.url, headers: { Authorization: "Bearer secret-key" } });
    expect((await withKey.list()).models.map((model) => model.name)).toEqual(["tiny:latest"]);
    const error = await failure(new Ollama({ host: keyed.url }).list());
    expect(error.status).toBe(401);
    const response = await fetch(`${keyed.url}/api/tags`);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});
