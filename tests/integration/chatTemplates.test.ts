// Golden prompts: a conversation with tools, a tool call and its result renders exactly as the family's
// own Jinja template renders it (what llama-server --jinja and vLLM send), on every transport that
// shows the prompt, and the model's chat format is reported.
import { Template } from "@huggingface/jinja";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningInferql } from "../../src/app.js";
import { createInferqlClient } from "../../src/client/index.js";
import { type ChatFamily, familyFixturePath, familyTemplate } from "../support/familyFixtures.js";
import { postGraphql } from "../support/graphqlClients.js";
import { postJson } from "../support/openai.js";
import { startTestServer } from "../support/startTestServer.js";
import { toolConversation, weatherTool } from "../support/toolConversation.js";

const FAMILIES: ChatFamily[] = ["qwen2.5", "qwen3", "llama3.1", "mistral-nemo", "gpt-oss", "deepseek-r1"];

/** What each family's prompt must show of its trained tool format. */
const NATIVE_MARKERS: Record<ChatFamily, string[]> = {
  "qwen2.5": ["<tools>", "<tool_call>", "<tool_response>\nsunny\n</tool_response>"],
  qwen3: ["<tools>", "<tool_call>", "<tool_response>"],
  "llama3.1": ["Environment: ipython", "<|start_header_id|>ipython<|end_header_id|>"],
  "mistral-nemo": ["[AVAILABLE_TOOLS]", "[TOOL_CALLS]", "[TOOL_RESULTS]"],
  "gpt-oss": ["namespace functions", "to=functions.get_weather", "<|start|>functions.get_weather"],
  "deepseek-r1": [],
};

let app: RunningInferql;

beforeAll(async () => {
  app = await startTestServer({
    flags: FAMILIES.flatMap((family) => ["--model", `${family}=${familyFixturePath(family)}`]),
  });
});

afterAll(async () => {
  await app?.close();
});

/** The family's template rendered directly, with the conversation in the OpenAI shape templates take. */
async function expectedPrompt(family: ChatFamily, variables: Record<string, unknown> = {}): Promise<string> {
  const { metadata } = await readGgufFileInfo(familyFixturePath(family));
  const { tokens, bos_token_id, eos_token_id } = metadata.tokenizer.ggml;
  return new Template(familyTemplate(family)).render({
    messages: toolConversation.map((message) =>
      message.tool_calls
        ? {
            ...message,
            tool_calls: message.tool_calls.map((call) => ({
              ...call,
              function: { ...call.function, arguments: JSON.parse(call.function.arguments) },
            })),
          }
        : message.role === "tool"
          ? { ...message, name: "get_weather" }
          : message,
    ),
    tools: [weatherTool],
    add_generation_prompt: true,
    bos_token: bos_token_id === undefined ? "" : tokens[bos_token_id],
    eos_token: eos_token_id === undefined ? "" : tokens[eos_token_id],
    ...variables,
  });
}

/** DeepSeek-R1's template has no place for tools: a prompt with tools is its chat wrapper's (see below). */
const TEMPLATES_WITH_TOOLS = FAMILIES.filter((family) => family !== "deepseek-r1");

describe("POST /apply-template", () => {
  it.each(TEMPLATES_WITH_TOOLS)("%s: the prompt equals the template's own rendering", async (family) => {
    const { status, body } = await postJson(`${app.url}/apply-template`, {
      model: family,
      messages: toolConversation,
      tools: [weatherTool],
    });
    expect(status).toBe(200);
    const { prompt } = body as { prompt: string };
    expect(prompt).toBe(await expectedPrompt(family));
    for (const marker of NATIVE_MARKERS[family]) expect(prompt).toContain(marker);
  });

  it.each(FAMILIES)(
    "%s: a final assistant message is continued (a prefill): the prompt ends with its text, unclosed",
    async (family) => {
      const question = [{ role: "user", content: "Name three colors." }];
      const { status, body } = await postJson(`${app.url}/apply-template`, {
        model: family,
        messages: [...question, { role: "assistant", content: "Red, green" }],
      });
      expect(status).toBe(200);
      const { metadata } = await readGgufFileInfo(familyFixturePath(family));
      const { tokens, bos_token_id, eos_token_id } = metadata.tokenizer.ggml;
      const upToTheAnswer = new Template(familyTemplate(family)).render({
        messages: question,
        add_generation_prompt: true,
        bos_token: bos_token_id === undefined ? "" : tokens[bos_token_id],
        eos_token: eos_token_id === undefined ? "" : tokens[eos_token_id],
      });
      expect((body as { prompt: string }).prompt).toBe(`${upToTheAnswer}Red, green`);
    },
  );

  it("the prefill's answer is its continuation; a prefill with reasoning is a 400", async () => {
    const continued = await postJson(`${app.url}/v1/chat/completions`, {
      model: "qwen2.5",
      temperature: 0,
      messages: [
        { role: "user", content: "Please answer @@plain" },
        { role: "assistant", content: "Hello" },
      ],
    });
    expect(continued.body).toMatchObject({
      choices: [{ message: { content: " there" }, finish_reason: "stop" }],
    });
    const withReasoning = await postJson(`${app.url}/v1/chat/completions`, {
      model: "qwen3",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", reasoning_content: "Greet back." },
      ],
    });
    expect(withReasoning.status).toBe(400);
    expect(withReasoning.body).toMatchObject({ error: { param: "messages[1].reasoning" } });
  });

  it("a template with no place for tools: the chat wrapper documents them in its own call format, not dropped", async () => {
    const withTools = await postJson(`${app.url}/apply-template`, {
      model: "deepseek-r1",
      messages: toolConversation,
      tools: [weatherTool],
    });
    const { prompt } = withTools.body as { prompt: string };
    // node-llama-cpp's DeepSeek wrapper: calls as <function=name>{…}</function>, results as tool output.
    expect(prompt).toContain('"name": "get_weather"');
    expect(prompt).toContain('<function=get_weather>{"city": "Lyon"}</function>');
    expect(prompt).toContain("And tomorrow?");

    const withoutTools = await postJson(`${app.url}/apply-template`, {
      model: "deepseek-r1",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect((withoutTools.body as { prompt: string }).prompt).toBe(
      new Template(familyTemplate("deepseek-r1")).render({
        messages: [{ role: "user", content: "Hi" }],
        add_generation_prompt: true,
        bos_token: "<｜begin▁of▁sentence｜>",
        eos_token: "<｜end▁of▁sentence｜>",
      }),
    );
  });

  it("chat_template_kwargs reach the template (Qwen3's enable_thinking)", async () => {
    const render = async (kwargs?: object) =>
      (
        (
          await postJson(`${app.url}/apply-template`, {
            model: "qwen3",
            messages: [{ role: "user", content: "Hi" }],
            ...(kwargs ? { chat_template_kwargs: kwargs } : {}),
          })
        ).body as { prompt: string }
      ).prompt;
    expect(await render({ enable_thinking: false })).toMatch(/<think>\n\n<\/think>\n\n$/);
    expect(await render()).toMatch(/<\|im_start\|>assistant\n$/);
  });

  it("a reasoning effort reaches each family's template by its own name, from every API that sends one", async () => {
    const hi = [{ role: "user", content: "Hi" }];
    const openAiPrompt = async (body: object) =>
      ((await postJson(`${app.url}/apply-template`, { messages: hi, ...body })).body as { prompt: string })
        .prompt;
    // OpenAI's reasoning_effort: gpt-oss's `reasoning_effort`; explicit chat_template_kwargs still win.
    expect(await openAiPrompt({ model: "gpt-oss", reasoning_effort: "high" })).toContain("Reasoning: high\n");
    expect(
      await openAiPrompt({
        model: "gpt-oss",
        reasoning_effort: "high",
        chat_template_kwargs: { reasoning_effort: "low" },
      }),
    ).toContain("Reasoning: low\n");
    // tRPC's reasoningEffort "none": Qwen3's enable_thinking false (an empty reasoning block).
    const rendered = await createInferqlClient(app.url).tokenizer.applyTemplate.query({
      model: "qwen3",
      messages: [{ role: "user", content: "Hi" }],
      reasoningEffort: "none",
    });
    expect(rendered.prompt).toMatch(/<think>\n\n<\/think>\n\n$/);
    // GraphQL's reasoningEffort.
    const graphql = await postGraphql<{ renderedPrompt: { prompt: string } }, Record<string, unknown>>(
      app.url,
      "query($input: ChatCompletionInput!) { renderedPrompt(input: $input) { prompt } }",
      { input: { model: "gpt-oss", messages: [{ role: "USER", content: "Hi" }], reasoningEffort: "low" } },
    );
    expect(graphql.data?.renderedPrompt.prompt).toContain("Reasoning: low\n");
    // Anthropic's thinking disabled: the same, counted in the prompt's tokens (Ollama's think: false in ollamaApi.test.ts).
    const anthropicCount = async (thinking?: object) =>
      (
        (
          await postJson(`${app.url}/v1/messages/count_tokens`, {
            model: "qwen3",
            messages: hi,
            ...(thinking ? { thinking } : {}),
          })
        ).body as { input_tokens: number }
      ).input_tokens;
    const plain = await anthropicCount();
    expect(await anthropicCount({ type: "disabled" })).toBeGreaterThan(plain);
  });

  it("gpt-oss sees the analysis of its tool-calling turn, sent as reasoning_content or vLLM's reasoning", async () => {
    // Its template reads the analysis from `thinking` (llama.cpp copies reasoning_content there too).
    const answer = async (reasoning: Record<string, string>, content = "") =>
      await postJson(`${app.url}/apply-template`, {
        model: "gpt-oss",
        tools: [weatherTool],
        messages: [
          { role: "user", content: "Weather in Lyon?" },
          {
            role: "assistant",
            content,
            ...reasoning,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Lyon"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
        ],
      });
    const render = async (reasoning: Record<string, string>) =>
      ((await answer(reasoning)).body as { prompt: string }).prompt;
    const named = await render({ reasoning_content: "Check the forecast" });
    expect(named).toContain("Check the forecast");
    expect(await render({ reasoning: "Check the forecast" })).toBe(named);
    expect(await render({})).not.toContain("Check the forecast");
    // Its template refuses a tool-calling turn with both text and analysis: the text is kept, not refused.
    const withText = await answer({ reasoning_content: "Check the forecast" }, "Let me look.");
    expect(withText.status).toBe(200);
    expect((withText.body as { prompt: string }).prompt).toContain("Let me look.");
  });

  it("a template that refuses the conversation is a 400 naming messages, and the server keeps serving", async () => {
    // Mistral's template insists that user and assistant turns alternate.
    const { status, body } = await postJson(`${app.url}/apply-template`, {
      model: "mistral-nemo",
      messages: [
        { role: "assistant", content: "First" },
        { role: "assistant", content: "Second" },
      ],
    });
    expect(status).toBe(400);
    expect((body as { error: { param: string; message: string } }).error).toMatchObject({
      param: "messages",
    });
    const again = await postJson(`${app.url}/apply-template`, {
      model: "mistral-nemo",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(again.status).toBe(200);
  });
});

describe("the chat format, on every transport", () => {
  const expectedFormats: Record<ChatFamily, { wrapper: string; toolCallFormat: string; reasoning: boolean }> =
    {
      // Qwen2.5 never thinks, but the Qwen wrapper's <think> markers are read anyway (as Qwen3 writes them).
      "qwen2.5": { wrapper: "JinjaTemplate", toolCallFormat: "native", reasoning: true },
      qwen3: { wrapper: "JinjaTemplate", toolCallFormat: "native", reasoning: true },
      "llama3.1": { wrapper: "JinjaTemplate", toolCallFormat: "native", reasoning: false },
      "mistral-nemo": { wrapper: "Mistral", toolCallFormat: "native", reasoning: false },
      "gpt-oss": { wrapper: "Harmony", toolCallFormat: "native", reasoning: true },
      "deepseek-r1": { wrapper: "DeepSeek", toolCallFormat: "native", reasoning: true },
    };

  it("/v1/models meta names the wrapper, the renderer and the tool call format", async () => {
    const { data } = (await (await fetch(`${app.url}/v1/models`)).json()) as {
      data: {
        id: string;
        meta: {
          chat_format: {
            wrapper: string;
            renderer: string;
            tool_call_format: string;
            reasoning_markers: unknown;
          };
        };
      }[];
    };
    for (const family of FAMILIES) {
      const format = data.find((model) => model.id === family)!.meta.chat_format;
      expect({ family, ...format, reasoning_markers: format.reasoning_markers !== null }).toEqual({
        family,
        wrapper: expectedFormats[family].wrapper,
        renderer: "jinja",
        tool_call_format: expectedFormats[family].toolCallFormat,
        reasoning_markers: expectedFormats[family].reasoning,
      });
    }
    const tiny = data.find((model) => model.id === "tiny")!.meta.chat_format;
    expect(tiny.tool_call_format).toBe("generic");
  });

  it("GraphQL renderedPrompt returns the same prompt and the format", async () => {
    const result = await postGraphql<{ renderedPrompt: Record<string, unknown> }, Record<string, unknown>>(
      app.url,
      `query($input: ChatCompletionInput!) { renderedPrompt(input: $input) {
        model prompt promptTokens chatFormat { wrapperName renderer toolCallFormat reasoningMarkers { open close } } } }`,
      {
        input: {
          model: "qwen3",
          messages: [
            { role: "SYSTEM", content: "Be brief." },
            { role: "USER", content: "Weather in Lyon?" },
            {
              role: "ASSISTANT",
              content: "",
              toolCalls: [
                { id: "abc123def", function: { name: "get_weather", arguments: '{"city": "Lyon"}' } },
              ],
            },
            { role: "TOOL", toolCallId: "abc123def", content: "sunny" },
            { role: "ASSISTANT", content: "It is sunny." },
            { role: "USER", content: "And tomorrow?" },
          ],
          tools: [{ function: weatherTool.function }],
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const rendered = result.data!.renderedPrompt as {
      prompt: string;
      promptTokens: number;
      chatFormat: unknown;
    };
    expect(rendered.prompt).toBe(await expectedPrompt("qwen3"));
    expect(rendered.promptTokens).toBeGreaterThan(50);
    expect(rendered.chatFormat).toEqual({
      wrapperName: "JinjaTemplate",
      renderer: "JINJA",
      toolCallFormat: "NATIVE",
      reasoningMarkers: { open: "<think>", close: "</think>" },
    });
  });

  it("tRPC tokenizer.applyTemplate returns the same prompt", async () => {
    const client = createInferqlClient(app.url);
    const rendered = await client.tokenizer.applyTemplate.query({
      model: "llama3.1",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Lyon?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "abc123def", function: { name: "get_weather", arguments: '{"city": "Lyon"}' } }],
        },
        { role: "tool", toolCallId: "abc123def", content: "sunny" },
        { role: "assistant", content: "It is sunny." },
        { role: "user", content: "And tomorrow?" },
      ],
      tools: [
        weatherTool as {
          type: "function";
          function: { name: string; description: string; parameters: Record<string, unknown> };
        },
      ],
    });
    expect(rendered.prompt).toBe(await expectedPrompt("llama3.1"));
    expect(rendered.chatFormat.toolCallFormat).toBe("native");
  });
});
