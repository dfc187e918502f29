// The web playground in a real browser (Debian's Chromium driven by playwright-core) against the
// real server with an API key set: connecting with the key, streaming a reply, stopping one, showing
// errors, and a reasoning model's thinking and tool calls (scripted family fixtures answer fixed
// tokens at temperature 0). Screenshots go to test-artifacts/.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type WebSocketRoute,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionInput } from "../../codegen/generated/graphql.js";
import type { RunningInferql } from "../../src/app.js";
import { ensureWebBuild } from "../support/ensureBuild.js";
import { familyFixturePath } from "../support/familyFixtures.js";
import { startTestServer } from "../support/startTestServer.js";

/**
 * Chromium's headless shell when installed (Debian's chromium-headless-shell, the build Playwright
 * itself runs headless tests on), else the full browser. The same Blink, V8 and compositor without the
 * full browser's UI layer: over this file, alternating runs, 6.5 s of the browser's CPU against
 * 9.7–11.1 s for the full browser in its headless mode.
 */
const CHROMIUM_PATHS = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
const CHROMIUM =
  process.env.INFERQL_CHROMIUM ?? CHROMIUM_PATHS.find((path) => existsSync(path)) ?? CHROMIUM_PATHS[0];
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  // Every page is the test server's one site: one renderer process for them all instead of one per
  // page (~15% of the browser's CPU over this file).
  "--process-per-site",
  // The browser, its renderer and its GPU process in one process: no IPC between them. The browser's
  // CPU over this file, alternating runs: 12.0–14.3 s with it, 15.9–18.8 s without.
  "--single-process",
];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const API_KEY = "playground-e2e-key";
/** Between looks at a streaming reply: often enough to see it grow, rarely enough to leave the CPU to the model. */
const pollInterval = () => new Promise((resolve) => setTimeout(resolve, 25));
/** Long enough (with the tiny model's word salad) to watch it stream and to stop it midway. */
const LONG_REPLY_TOKENS = "1500";
/**
 * A reply streamed to its end: long enough to watch it grow, and four digits for the thousands
 * separator. Each token costs the browser too (~1.3 ms of CPU, with the server's ~1 ms).
 */
const STREAMED_REPLY_TOKENS = "1000";

if (!existsSync(CHROMIUM))
  console.warn(
    `Skipping the playground browser tests: no Chromium at ${process.env.INFERQL_CHROMIUM ?? CHROMIUM_PATHS.join(" or ")} (apt-get install chromium-headless-shell).`,
  );

describe.skipIf(!existsSync(CHROMIUM))("the web playground, in a browser", () => {
  let app: RunningInferql;
  let browser: Browser;
  /** One context, so that every page remembers the API key entered in the first test. */
  let context: BrowserContext;
  let page: Page;

  const lastReply = (on = page): Locator => on.getByRole("article").last();
  const statusOf = (reply: Locator) => reply.getAttribute("data-status");
  const textLengthOf = async (reply: Locator) =>
    (await reply.getByTestId("reply-text").textContent())?.length ?? 0;
  const busySlots = () => page.getByTestId("busy-slots").textContent();
  /**
   * Records, in the page, every text length the last reply shows and every busy-slots figure the
   * panel shows while that reply streams: each change the page renders, however fast the stream
   * (a poll from the test can miss a reply streamed in a fraction of a second).
   */
  const recordWhileStreaming = () =>
    page.evaluate(() => {
      const seen = { textLengths: new Set<number>(), busySlots: new Set<string>() };
      new MutationObserver(() => {
        const reply = [...document.querySelectorAll("article")].at(-1);
        if (reply?.getAttribute("data-status") !== "streaming") return;
        const text = reply.querySelector('[data-testid="reply-text"]')?.textContent;
        if (text) seen.textLengths.add(text.length);
        const busy = document.querySelector('[data-testid="busy-slots"]')?.textContent;
        if (busy) seen.busySlots.add(busy);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      (window as unknown as { seenWhileStreaming: typeof seen }).seenWhileStreaming = seen;
    });
  const recordedWhileStreaming = () =>
    page.evaluate(() => {
      const seen = (
        window as unknown as { seenWhileStreaming: { textLengths: Set<number>; busySlots: Set<string> } }
      ).seenWhileStreaming;
      return { textLengths: seen.textLengths.size, busySlots: [...seen.busySlots] };
    });
  const connected = (on = page) =>
    on
      .getByRole("status")
      .filter({ hasText: /^Connected$/ })
      .waitFor();

  /** Types a message and sends it with the keyboard. */
  const send = async (message: string, on = page) => {
    const box = on.getByLabel("Message");
    await box.fill(message);
    await box.press("Enter");
  };

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    [app, browser] = await Promise.all([
      startTestServer({ flags: ["--api-key", API_KEY] }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS }),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("asks for the API key the server requires, then connects, lists the models and answers", async () => {
    await page.goto(app.url);
    // The banner above the chat (a refused reply repeats the advice in its own alert, further down).
    const askForKey = page.getByRole("alert").filter({ hasText: "Check the API key" }).first();
    await askForKey.waitFor();
    // Anything sent meanwhile opens a socket of its own: the server refuses that one too, and the
    // page keeps asking for the key instead of reporting a retry that will not come.
    await send("Are you there?");
    await expect.poll(() => statusOf(lastReply())).toBe("error");
    expect(await lastReply().getByRole("alert").textContent()).toContain("Check the API key");
    expect(await askForKey.isVisible()).toBe(true);
    expect(await page.getByRole("status").filter({ hasText: "Not connected" }).isVisible()).toBe(true);

    await page.getByLabel("API key").fill(API_KEY);
    await page.getByLabel("API key").press("Enter");

    await connected();
    await page
      .getByLabel("Model")
      .getByRole("option", { name: "tiny (default)" })
      .waitFor({ state: "attached" });
    expect(await busySlots()).toBe("0 / 4");
    await page.getByLabel("Max tokens").fill("40");
    await send("Hello! Who are you?");
    await expect.poll(() => statusOf(lastReply())).toBe("done");
    expect(await lastReply().getByTestId("completion-tokens").textContent()).toBe("40");
  });

  it("streams a reply token by token, shows busy slots meanwhile, then its finish reason, tokens, TTFT and speed", async () => {
    await page.getByLabel("Max tokens").fill(STREAMED_REPLY_TOKENS);
    await page.getByLabel("Seed").fill("7");
    await recordWhileStreaming();
    await send("Tell me a long story about llamas.");

    const reply = lastReply();
    let screenshotWhileStreaming = false;
    const deadline = Date.now() + 30_000;
    while ((await statusOf(reply)) !== "done") {
      expect(Date.now(), "the reply should finish").toBeLessThan(deadline);
      const [status, text] = await Promise.all([
        statusOf(reply),
        reply.getByTestId("reply-text").textContent(),
      ]);
      if (status === "streaming" && (text?.length ?? 0) > 400 && !screenshotWhileStreaming) {
        screenshotWhileStreaming = true;
        await page.screenshot({ path: `${ARTIFACTS}playground-streaming.png` });
      }
      await pollInterval();
    }

    const whileStreaming = await recordedWhileStreaming();
    expect(whileStreaming.textLengths, "text seen growing while streaming").toBeGreaterThanOrEqual(2);
    expect(whileStreaming.busySlots).toContain("1 / 4");
    expect(await reply.getByTestId("finish-reason").textContent()).toBe("length");
    expect(await reply.getByTestId("completion-tokens").textContent()).toBe("1,000");
    expect(await reply.getByTestId("ttft").textContent()).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await reply.getByTestId("tokens-per-second").textContent()).toMatch(/^[\d,]+ tok\/s$/);
    await expect.poll(busySlots).toBe("0 / 4");
    await page.screenshot({ path: `${ARTIFACTS}playground.png` });
  });

  it("Stop cancels the generation mid-stream and frees its slot", async () => {
    await page.getByLabel("Max tokens").fill(LONG_REPLY_TOKENS);
    await send("Another long story, please.");
    const reply = lastReply();
    await expect
      .poll(async () => (await reply.getByTestId("reply-text").textContent())?.length ?? 0)
      .toBeGreaterThan(0);
    expect(await statusOf(reply)).toBe("streaming");

    await page.getByRole("button", { name: "Stop" }).click();

    await expect.poll(() => statusOf(reply)).toBe("cancelled");
    expect(await reply.getByTestId("reply-status").textContent()).toBe("Cancelled");
    expect(await reply.getByTestId("finish-reason").textContent()).toBe("cancelled");
    expect(
      Number((await reply.getByTestId("completion-tokens").textContent())?.replace(/,/g, "")),
    ).toBeLessThan(1500);
    await expect.poll(() => app.scheduler.state().busySlots).toBe(0);
    await expect.poll(busySlots).toBe("0 / 4");
    await page.screenshot({ path: `${ARTIFACTS}playground-stopped.png` });
  });

  it("shows a JSON schema that is not JSON, or that the server rejects, as a plain error", async () => {
    await page.getByLabel("Output").selectOption("JSON_SCHEMA");
    const schema = page.getByLabel("JSON schema");

    await schema.fill("{ not json");
    await send("Answer in JSON.");
    await page.getByRole("alert").filter({ hasText: "not valid JSON" }).first().waitFor();
    expect(await schema.getAttribute("aria-invalid")).toBe("true");

    await schema.fill('{"type": "object", "properties": {"answer": {"type": "no-such-type"}}}');
    await page.getByRole("button", { name: "Send" }).click();
    const reply = lastReply();
    await expect.poll(() => statusOf(reply)).toBe("error");
    const error = await reply.getByRole("alert").textContent();
    expect(error).toContain("The request was rejected");
    expect(error).toContain("Invalid JSON schema");
    await page.screenshot({ path: `${ARTIFACTS}playground-error.png` });
    expect(app.scheduler.state().busySlots).toBe(0);
  });

  it("fits a narrow screen: settings folded away, the message box and buttons in view", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(app.url);
    await connected();
    expect(await page.getByLabel("Max tokens").isVisible()).toBe(false); // inside the folded settings
    expect(await page.getByLabel("Message").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
    expect(await page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth")).toBe(
      true,
    );
    await page.screenshot({ path: `${ARTIFACTS}playground-narrow.png` });
  });

  it("a dropped connection ends the reply with a plain error; the page reconnects by itself and Retry sends again", async () => {
    const sockets: { pageSide: WebSocketRoute; serverSide: WebSocketRoute }[] = [];
    const flaky = await context.newPage();
    await flaky.routeWebSocket(/\/graphql$/, (pageSide) => {
      sockets.push({ pageSide, serverSide: pageSide.connectToServer() });
    });
    try {
      await flaky.goto(app.url);
      await connected(flaky);
      await flaky.getByLabel("Output").selectOption("TEXT");
      await flaky.getByLabel("Max tokens").fill(LONG_REPLY_TOKENS);
      await send("A story that will be cut short.", flaky);
      const reply = lastReply(flaky);
      await expect.poll(() => textLengthOf(reply)).toBeGreaterThan(0);

      // Both ends see the socket close, as when a network drops. (A page may only close with 1000 or
      // 3000-4999; the page side is told 1001, which graphql-ws retries.)
      const dropped = sockets.at(-1);
      await Promise.all([
        dropped?.serverSide.close({ code: 1000, reason: "gone" }),
        dropped?.pageSide.close({ code: 1001, reason: "network dropped" }),
      ]);

      await expect.poll(() => statusOf(reply)).toBe("error");
      expect(await reply.getByRole("alert").textContent()).toContain("Lost the connection to the server");
      await expect.poll(() => app.scheduler.state().busySlots).toBe(0);
      await connected(flaky);
      expect(sockets.length).toBe(2);

      await flaky.getByLabel("Max tokens").fill("16");
      await reply.getByRole("button", { name: "Retry" }).click();
      await expect.poll(() => statusOf(reply)).toBe("done");
      expect(await reply.getByTestId("completion-tokens").textContent()).toBe("16");
    } finally {
      await flaky.close();
    }
  });

  describe("with reasoning and tool-calling models", () => {
    /** A server of its own (no API key): its models' slots would change the counts above. */
    let familyApp: RunningInferql;
    /** One page for these tests; each starts a new chat on it (the page's "New chat" button). */
    let scripted: Page;
    /** Each chat request the page sends in the current test, as the server gets it. */
    const sent: ChatCompletionInput[] = [];

    beforeAll(async () => {
      familyApp = await startTestServer({
        flags: (["qwen3", "qwen2.5"] as const).flatMap((family) => [
          "--model",
          `${family}=${familyFixturePath(family)}`,
        ]),
      });
      scripted = await context.newPage();
      scripted.on("websocket", (socket) =>
        socket.on("framesent", ({ payload }) => {
          const message = JSON.parse(String(payload));
          const input = message.type === "subscribe" ? message.payload.variables?.input : undefined;
          if (input?.messages) sent.push(input);
        }),
      );
      await scripted.goto(familyApp.url);
      await connected(scripted);
    });

    afterAll(async () => {
      await scripted?.close();
      await familyApp?.close();
    });

    /**
     * Starts a new chat on the page, set up for a scripted family fixture: plain text at temperature 0,
     * and the example tool (get_weather) or none. `sent` starts empty.
     */
    const startNewChat = async (model: "qwen3" | "qwen2.5", tools: "example tool" | "no tools") => {
      const newChat = scripted.getByRole("button", { name: "New chat" });
      if (await newChat.isEnabled()) await newChat.click();
      await expect.poll(() => scripted.getByRole("article").count()).toBe(0);
      expect(await newChat.isDisabled()).toBe(true);
      sent.length = 0;
      await scripted.getByLabel("Model").getByRole("option", { name: model }).waitFor({ state: "attached" });
      await scripted.getByLabel("Model").selectOption(model);
      await scripted.getByLabel("Output").selectOption("TEXT");
      await scripted.getByLabel("Temperature").fill("0");
      await scripted.getByLabel("Max tokens").fill("64");
      await scripted.getByLabel("Seed").fill("");
      await scripted.getByLabel("Tools", { exact: true }).fill("");
      if (tools === "example tool")
        await scripted.getByRole("button", { name: "Add an example tool" }).click();
    };

    it("shows a reasoning model's thinking in a folded block above its answer, opened and folded by a click", async () => {
      await startNewChat("qwen3", "no tools");
      await send("Please answer @@think", scripted);
      const reply = lastReply(scripted);
      await expect.poll(() => statusOf(reply)).toBe("done");

      const reasoning = reply.getByTestId("reasoning");
      const answer = reply.getByTestId("reply-text");
      expect(await answer.textContent()).toBe("Sunny today");
      expect(await reasoning.getByTestId("reasoning-text").textContent()).toBe("Let me think");
      // Folded once the answer began: the summary shows, the thinking does not.
      expect(await reasoning.evaluate((details: HTMLDetailsElement) => details.open)).toBe(false);
      expect(await reasoning.getByTestId("reasoning-text").isVisible()).toBe(false);

      await reasoning.getByText("Reasoning", { exact: true }).click();
      await reasoning.getByTestId("reasoning-text").waitFor({ state: "visible" });
      const [thoughtBox, answerBox] = await Promise.all([
        reasoning.getByTestId("reasoning-text").boundingBox(),
        answer.boundingBox(),
      ]);
      expect(thoughtBox && answerBox && thoughtBox.y + thoughtBox.height <= answerBox.y).toBe(true);
      await scripted.screenshot({ path: `${ARTIFACTS}playground-reasoning.png` });

      await reasoning.getByText("Reasoning", { exact: true }).click();
      await reasoning.getByTestId("reasoning-text").waitFor({ state: "hidden" });
      expect(await reply.getByTestId("finish-reason").textContent()).toBe("stop");
    });

    it("shows a tool call as a card with the tool's name, its arguments as JSON and its call id; the finish says tool calls", async () => {
      await startNewChat("qwen2.5", "example tool");
      await send("Please answer @@call", scripted);
      const reply = lastReply(scripted);
      await expect.poll(() => statusOf(reply)).toBe("done");

      const card = reply.getByTestId("tool-call");
      expect(await card.count()).toBe(1);
      expect(await card.getByTestId("tool-call-name").textContent()).toBe("get_weather");
      const shownArguments = (await card.getByTestId("tool-call-arguments").textContent()) ?? "";
      expect(shownArguments).toBe(JSON.stringify({ city: "Paris" }, null, 2));
      expect(await card.getByTestId("tool-call-id").textContent()).toMatch(/\S+/);
      expect(await reply.getByTestId("finish-reason").textContent()).toBe("tool calls");
      expect(await reply.getByTestId("reply-text").count()).toBe(0);
      await scripted.screenshot({ path: `${ARTIFACTS}playground-tool-call.png` });

      expect(sent).toHaveLength(1);
      expect(sent[0].tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);
      expect(sent[0].toolChoice).toEqual({ mode: "AUTO" });
    });

    it("answering a tool call sends the call, the reasoning before it and the result back, and the model goes on", async () => {
      await startNewChat("qwen3", "example tool");
      await send("Please answer @@thinkcall", scripted);
      const first = scripted.getByRole("article").first();
      await expect.poll(() => statusOf(first)).toBe("done");
      expect(await first.getByTestId("reasoning-text").textContent()).toBe("Checking");
      const card = first.getByTestId("tool-call");
      expect(await card.getByTestId("tool-call-name").textContent()).toBe("get_weather");
      const callId = (await card.getByTestId("tool-call-id").textContent()) ?? "";

      await card.getByLabel("Result of get_weather").fill('{"temperature": 21}');
      await card.getByRole("button", { name: "Answer" }).click();

      await expect.poll(() => scripted.getByRole("article").count()).toBe(2);
      const second = lastReply(scripted);
      await expect.poll(() => statusOf(second)).not.toMatch(/waiting|streaming/);
      expect(await card.getByTestId("tool-call-result").textContent()).toContain('{"temperature": 21}');
      expect(await card.getByLabel("Result of get_weather").count()).toBe(0);

      expect(sent).toHaveLength(2);
      const history = sent[1].messages.filter((message) => message.role !== "SYSTEM");
      expect(history).toHaveLength(3); // no new user message: the model continues after the result
      const [question, assistant, result] = history;
      expect(question).toMatchObject({ role: "USER", content: "Please answer @@thinkcall" });
      expect(assistant.role).toBe("ASSISTANT");
      expect(assistant.reasoning?.trim()).toBe("Checking");
      expect(assistant.toolCalls).toHaveLength(1);
      expect(assistant.toolCalls?.[0].id).toBe(callId);
      expect(assistant.toolCalls?.[0].function.name).toBe("get_weather");
      expect(JSON.parse(assistant.toolCalls?.[0].function.arguments ?? "")).toEqual({ city: "Paris" });
      expect(result).toEqual({ role: "TOOL", toolCallId: callId, content: '{"temperature": 21}' });
    });

    it("marks tools that are not a JSON array of tools at once, and sends nothing while they are", async () => {
      await startNewChat("qwen2.5", "no tools");
      const tools = scripted.getByLabel("Tools", { exact: true });
      const toolsError = scripted.locator("#tools-error");

      await tools.fill('[{"type": "function", "function": {"name": "get_weather"');
      expect(await toolsError.textContent()).toContain("The tools are not valid JSON");
      expect(await tools.getAttribute("aria-invalid")).toBe("true");
      await send("Please answer @@call", scripted);
      await scripted
        .getByRole("alert")
        .filter({ hasText: "Check the settings: The tools are not valid JSON" })
        .waitFor();
      expect(await scripted.getByRole("article").count()).toBe(0);
      expect(await scripted.getByLabel("Message").inputValue()).toBe("Please answer @@call");

      await tools.fill('{"name": "get_weather"}');
      expect(await toolsError.textContent()).toBe("The tools must be a JSON array of tools.");
      await tools.fill('[{"type": "function", "function": {"description": "no name"}}]');
      expect(await toolsError.textContent()).toBe('Tool 1 needs a "name".');
      expect(sent).toHaveLength(0);

      // The function definition alone is a tool too.
      await tools.fill(
        '[{"name": "get_weather", "description": "The weather in a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]',
      );
      expect(await toolsError.count()).toBe(0);
      expect(await tools.getAttribute("aria-invalid")).toBeNull();
      await scripted.getByRole("button", { name: "Send" }).click();
      await expect.poll(() => statusOf(lastReply(scripted))).toBe("done");
      expect(await lastReply(scripted).getByTestId("tool-call-name").textContent()).toBe("get_weather");
      expect(sent).toHaveLength(1);
    });
  });
});
