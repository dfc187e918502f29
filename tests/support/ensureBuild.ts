// Tests that run what users run need it built: the compiled server and client (dist/, for the CLI
// tests and the client package test) and the playground (dist/web, for the browser tests). Each is
// rebuilt, as `npm run build:server` / `npm run build:web` would, only when missing or older than
// its sources, so a run right after `npm ci` (which builds both) builds nothing.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function newestModification(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    stats.mtimeMs,
    ...readdirSync(entry).map((name) => newestModification(path.join(entry, name))),
  );
}

function isFresh(output: string, sources: string[]): boolean {
  const builtAt = statSync(path.join(root, output), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return builtAt >= Math.max(...sources.map((source) => newestModification(path.join(root, source))));
}

function runNode(script: string, args: string[]): void {
  execFileSync(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: "inherit" });
}

export function ensureServerBuild(): void {
  // The server's bundle is written last.
  const sources = ["src", "package.json", "tsconfig.build.json", "scripts/bundleServer.mjs"];
  if (isFresh("dist/server/main.js", sources)) return;
  runNode("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
  runNode("scripts/bundleClientTypes.mjs", []);
  runNode("scripts/bundleServer.mjs", []);
}

export function ensureWebBuild(): void {
  if (isFresh("dist/web/index.html", ["web", "codegen/generated"])) return;
  runNode("node_modules/vite/bin/vite.js", ["build", "web", "--logLevel", "warn"]);
}
