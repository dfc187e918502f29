// Tests of the generated GGUF models: determinism, size, and that node-llama-cpp loads, chats and generates with them.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  getLlama,
  type Llama,
  LlamaCompletion,
  type LlamaCompletionGenerationOptions,
  LlamaLogLevel,
  type LlamaModel,
  readGgufFileInfo,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeGeneratedModel } from "../../src/inference/generatedModel/llamaModel.js";
import { generateLoraFile, generateModelFile } from "../../src/inference/generatedModel/presets.js";
import { BYTE_TOKEN_OFFSET, SpecialTokenId } from "../../src/inference/generatedModel/vocab.js";

const sha256OfFile = (filePath: string): string =>
  createHash("sha256").update(fs.readFileSync(filePath)).digest("hex");

describe("generated model files", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inferql-gen-"));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is deterministic: same preset and seed give the same bytes, another seed does not", () => {
    const a = generateModelFile({ preset: "tiny", outPath: path.join(dir, "a.gguf"), seed: 42 });
    const b = generateModelFile({ preset: "tiny", outPath: path.join(dir, "b.gguf"), seed: 42 });
    const c = generateModelFile({ preset: "tiny", outPath: path.join(dir, "c.gguf"), seed: 43 });
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(sha256OfFile(a.path)).toBe(a.sha256);
    // the cached test model was generated with the default seed (42)
    expect(sha256OfFile(inject("tinyModelPath"))).toBe(a.sha256);
  });

  it("makes a tiny model of about 1 MB and leaves no temp files behind", () => {
    const tiny = generateModelFile({ preset: "tiny", outPath: path.join(dir, "tiny.gguf") });
    expect(tiny.bytes).toBe(fs.statSync(tiny.path).size);
    expect(tiny.bytes).toBeGreaterThan(800_000);
    expect(tiny.bytes).toBeLessThan(1_200_000);
    expect(tiny.params).toBeGreaterThan(200_000);
    expect(tiny.params).toBeLessThan(300_000);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it.each([
    ["qwen2", "blk.0.attn_q.bias"],
    ["qwen3", "blk.0.attn_q_norm.weight"],
  ] as const)(
    "writes a %s model with its extra tensors, keys and chat-family tokens",
    async (architecture, extraTensor) => {
      const out = writeGeneratedModel(path.join(dir, `${architecture}.gguf`), {
        architecture,
        name: "Family Test",
        basename: "Family",
        chatTemplate: "{{ messages }}",
        controlTokens: ["<|turn|>"],
        userDefinedTokens: ["<tool_call>"],
        eosToken: "<|turn|>",
        eotToken: "<|eot|>",
        addBosToken: false,
      });
      const info = await readGgufFileInfo(out.path, { readTensorInfo: true });
      expect(info.metadata.general.architecture).toBe(architecture);
      expect(info.metadata.general.basename).toBe("Family");
      expect(info.metadata.tokenizer.chat_template).toBe("{{ messages }}");
      expect(info.tensorInfo?.map((t) => t.name)).toContain(extraTensor);
      const {
        tokens,
        token_type: types,
        eos_token_id: eos,
        eot_token_id: eot,
      } = info.metadata.tokenizer.ggml;
      expect(tokens[Number(eos)]).toBe("<|turn|>");
      expect(tokens[Number(eot)]).toBe("<|eot|>");
      expect(types[tokens.indexOf("<tool_call>")]).toBe(4); // user-defined
      expect(types[tokens.indexOf("<|eot|>")]).toBe(3); // control
    },
  );

  it("writes a qwen3 ranking head: cls.output.weight over the labels yes and no, and pooling type RANK", async () => {
    const out = writeGeneratedModel(path.join(dir, "reranker.gguf"), {
      architecture: "qwen3",
      nLayer: 1,
      rankingHead: true,
    });
    const info = await readGgufFileInfo(out.path, { readTensorInfo: true });
    const head = info.tensorInfo?.find((t) => t.name === "cls.output.weight");
    expect(head?.dimensions.map(Number)).toEqual([64, 2]);
    const qwen3 = (info.metadata as unknown as { qwen3: Record<string, unknown> }).qwen3;
    expect(qwen3.pooling_type).toBe(4);
    expect((qwen3.classifier as { output_labels: string[] }).output_labels).toEqual(["yes", "no"]);
    expect(() =>
      writeGeneratedModel(path.join(dir, "bad-reranker.gguf"), { architecture: "llama", rankingHead: true }),
    ).toThrow(/qwen3/);
  });

  it("refuses a script whose answer repeats a token with no marker between", () => {
    const script = {
      startTokens: ["<|im_start|>"],
      answers: { "@@x": ["a", "b", "a", "c", "</s>"] },
      markers: [],
    };
    expect(() => writeGeneratedModel(path.join(dir, "bad.gguf"), { script })).toThrow(/no marker/);
    // with "b" allowed as the marker, it plans and checks the answer
    const ok = writeGeneratedModel(path.join(dir, "ok.gguf"), { script: { ...script, markers: ["b"] } });
    expect(ok.script?.answers).toBe(1);
    expect(ok.script?.stepsChecked).toBeGreaterThan(0);
  });

  it("makes deterministic LoRA adapters", () => {
    const a = generateLoraFile({ preset: "tiny", outPath: path.join(dir, "la.gguf") });
    const b = generateLoraFile({ preset: "tiny", outPath: path.join(dir, "lb.gguf") });
    const c = generateLoraFile({ preset: "tiny", outPath: path.join(dir, "lc.gguf"), rank: 4 });
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(c.bytes).toBeLessThan(a.bytes);
  });
});

describe("generated models in node-llama-cpp", () => {
  let llama: Llama;
  let tiny: LlamaModel;
  let stopsEarly: LlamaModel;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    tiny = await llama.loadModel({ modelPath: inject("tinyModelPath") });
    stopsEarly = await llama.loadModel({ modelPath: inject("stopsEarlyModelPath") });
  });
  afterAll(async () => {
    await tiny?.dispose();
    await stopsEarly?.dispose();
    await llama?.dispose();
  });

  /** Generates from a fresh context (threads: 1: the default is ~1000x slower on a 2-core machine). */
  async function complete(
    model: LlamaModel,
    prompt: string,
    options: LlamaCompletionGenerationOptions,
    lora?: string,
  ): Promise<{ text: string; tokens: Token[]; stopReason: string }> {
    const context = await model.createContext({
      threads: 1,
      contextSize: 512,
      ...(lora ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}),
    });
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const tokens: Token[] = [];
      const result = await completion.generateCompletionWithMeta(prompt, {
        ...options,
        onToken: (chunk) => tokens.push(...chunk),
      });
      return { text: result.response, tokens, stopReason: result.metadata.stopReason };
    } finally {
      await context.dispose();
    }
  }

  it("reads the ChatML chat template from the file", () => {
    expect(tiny.fileInfo.metadata.tokenizer.chat_template).toContain("<|im_start|>");
    const wrapper = resolveChatWrapper(tiny);
    const { contextText } = wrapper.generateContextState({
      chatHistory: [
        { type: "system", text: "Be brief." },
        { type: "user", text: "hello" },
        { type: "model", response: [] },
      ],
    });
    const rendered = contextText.toString();
    expect(rendered).toContain("<|im_start|>user\nhello<|im_end|>");
    expect(rendered).toContain("<|im_start|>assistant\n");
  });

  it.each([
    ["greedy", { temperature: 0 }],
    ["sampled", { temperature: 1, seed: 7 }],
  ] as const)(
    "tiny model (%s) writes 64 tokens of readable UTF-8 without stopping",
    async (_label, sampling) => {
      const { text, tokens, stopReason } = await complete(tiny, "hello world", {
        ...sampling,
        maxTokens: 64,
      });
      expect(stopReason).toBe("maxTokens");
      expect(tokens).toHaveLength(64);
      for (const token of tokens) {
        expect(tiny.isEogToken(token)).toBe(false);
        const special: number[] = [SpecialTokenId.unk, SpecialTokenId.bos, SpecialTokenId.imStart];
        expect(special).not.toContain(token);
        const isByte = token >= BYTE_TOKEN_OFFSET && token < BYTE_TOKEN_OFFSET + 256;
        if (isByte) expect(token - BYTE_TOKEN_OFFSET).toBeGreaterThanOrEqual(0x20);
        if (isByte) expect(token - BYTE_TOKEN_OFFSET).toBeLessThan(0x80);
      }
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain("\uFFFD");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
      expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    },
  );

  it("tiny-stops-early ends on EOG within a few tokens", async () => {
    for (const sampling of [{ temperature: 0 }, { temperature: 1, seed: 3 }]) {
      const { tokens, stopReason } = await complete(stopsEarly, "hello world", {
        ...sampling,
        maxTokens: 64,
      });
      expect(stopReason).toBe("eogToken");
      expect(tokens.length).toBeLessThanOrEqual(8);
    }
  });

  it("loads the LoRA adapter into a context, and it changes the output", async () => {
    const options = { temperature: 0, maxTokens: 16 };
    const plain = await complete(tiny, "hello world", options);
    const adapted = await complete(tiny, "hello world", options, inject("tinyLoraPath"));
    expect(adapted.tokens.length).toBeGreaterThan(0);
    expect(adapted.tokens).not.toEqual(plain.tokens);
  });
});
