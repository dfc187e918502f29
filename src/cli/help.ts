// `inferql --help`, `inferql serve --help` and `inferql --version`: generated from the settings
// table and the config schema (src/config.ts), so every flag, variable and default is listed once.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { configSchema, SETTINGS } from "../config.js";
import { PACKAGE_ROOT } from "../packageRoot.js";

/** The process exit codes, as `--help` and README.md document them. */
export const EXIT_CODES = [
  [0, "stopped cleanly (SIGTERM or SIGINT, after draining)"],
  [1, "failed while running: a model could not load, or an unexpected error"],
  [2, "bad command line or settings (the flag is named on stderr)"],
  ["128+N", "ended by signal N before it could drain (SIGKILL: 137)"],
] as const;

export function inferqlVersion(): string {
  const packageJson = readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8");
  const { version } = JSON.parse(packageJson) as { version: string };
  return version;
}

function exitCodesText(): string {
  return EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(7)}${meaning}`).join("\n");
}

export function mainHelp(): string {
  return `inferql ${inferqlVersion()}: local LLM inference over GraphQL, tRPC and an OpenAI-compatible API.

usage:
  inferql serve [flags]           serve models (the default command); inferql serve --help lists the flags
  inferql model PRESET [flags]    write a generated GGUF model; inferql model --help
  inferql --version               print the version
  inferql --help                  print this

exit codes:
${exitCodesText()}
`;
}

export function serveHelp(): string {
  const { properties } = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, { default?: unknown; enum?: unknown[] }>;
  };
  const rows = SETTINGS.map((setting) => {
    const property = properties[setting.key] ?? {};
    const choices = property.enum ? ` (${property.enum.join(", ")})` : "";
    const unset = "unset" in setting ? setting.unset : "none";
    const hasDefault = property.default !== undefined && String(property.default) !== "";
    const fallback = hasDefault ? String(property.default) : unset;
    return {
      flag: `--${setting.flag} ${setting.value}`,
      env: setting.env,
      help: `${setting.help}${choices}; default: ${fallback}`,
    };
  });
  const flagWidth = Math.max(...rows.map((row) => row.flag.length)) + 2;
  const envWidth = Math.max(...rows.map((row) => row.env.length)) + 2;
  const lines = rows.map((row) => `  ${row.flag.padEnd(flagWidth)}${row.env.padEnd(envWidth)}${row.help}`);
  return `usage: inferql serve [flags]

Serves GraphQL on /graphql, tRPC on /trpc, the OpenAI-compatible API on /v1 and the playground on /.
Each flag may instead be set by the environment variable beside it; the flag wins. A flag marked
repeatable may be given several times, and its variable may hold several values separated by commas.

  ${"flag".padEnd(flagWidth)}${"variable".padEnd(envWidth)}
${lines.join("\n")}
  ${"".padEnd(flagWidth)}${"INFERQL_CACHE_DIR".padEnd(envWidth)}where the generated model is written; default: .cache/models in the package
  --help, -h

exit codes:
${exitCodesText()}
`;
}
