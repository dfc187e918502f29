// `inferql model <preset>`: writes a generated GGUF model (or a LoRA adapter for it) and prints one JSON line.
import path from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_SEED,
  generateLoraFile,
  generateModelFile,
  isModelPreset,
  MODEL_PRESETS,
} from "../inference/generatedModel/presets.js";

const USAGE = `usage: inferql model ${MODEL_PRESETS.join("|")} [--out PATH] [--seed N] [--lora [--rank N] [--alpha X]]`;

/** A bad command line: reported as one line on stderr with exit code 2. */
class UsageError extends Error {}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function parsePositiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${flag} must be a positive number, got "${text}"`);
  }
  return value;
}

interface ModelCommand {
  preset: (typeof MODEL_PRESETS)[number];
  out: string;
  seed: number;
  lora: { rank?: number; alpha?: number } | undefined;
}

function parseModelCommand(argv: string[]): ModelCommand | "help" {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length === 0) throw new UsageError(`missing preset (one of ${MODEL_PRESETS.join(", ")})`);
  if (positionals.length > 1) throw new UsageError(`expected one preset, got ${positionals.join(" ")}`);
  const preset = positionals[0];
  if (!isModelPreset(preset)) {
    throw new UsageError(`unknown preset "${preset}" (expected one of ${MODEL_PRESETS.join(", ")})`);
  }
  if (!values.lora && (values.rank !== undefined || values.alpha !== undefined)) {
    throw new UsageError("--rank and --alpha only apply with --lora");
  }
  if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out must not be empty");
  const seed = values.seed === undefined ? DEFAULT_SEED : parseInteger("seed", values.seed, 0, 0xffffffff);
  const lora = values.lora
    ? {
        rank: values.rank === undefined ? undefined : parseInteger("rank", values.rank, 1, 1024),
        alpha: values.alpha === undefined ? undefined : parsePositiveNumber("alpha", values.alpha),
      }
    : undefined;
  const out = values.out ?? `./${preset}${lora ? "-lora" : ""}.gguf`;
  return { preset, out, seed, lora };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o" },
      seed: { type: "string" },
      lora: { type: "boolean" },
      rank: { type: "string" },
      alpha: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** Runs `inferql model …` with the arguments after `model`; returns the process exit code. */
export async function runModelCommand(argv: string[]): Promise<number> {
  let command: ModelCommand | "help";
  try {
    command = parseModelCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`inferql model: ${error.message} (see: inferql model --help)\n`);
    return 2;
  }
  if (command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const { preset, seed, lora } = command;
  const outPath = path.resolve(command.out);
  const started = performance.now();
  try {
    const file = lora
      ? generateLoraFile({ preset, outPath, seed, rank: lora.rank, alpha: lora.alpha })
      : generateModelFile({ preset, outPath, seed });
    const ms = Math.round(performance.now() - started);
    const kind = lora ? "lora" : "model";
    process.stdout.write(`${JSON.stringify({ kind, preset, seed, ...file, ms })}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `inferql model: cannot write ${outPath}: ${error instanceof Error ? error.message : error}\n`,
    );
    return 1;
  }
}
