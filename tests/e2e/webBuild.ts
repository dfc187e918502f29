// Browser tests need the built playground: builds dist/web when it is missing or older than its
// sources (web/ and the typed documents it imports), as `npm run build:web` would.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const SOURCES = ["web", "codegen/generated"];

function newestModification(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    stats.mtimeMs,
    ...readdirSync(entry).map((name) => newestModification(path.join(entry, name))),
  );
}

export function ensureWebBuild(): void {
  const builtAt = statSync(path.join(root, "dist/web/index.html"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const changedAt = Math.max(...SOURCES.map((source) => newestModification(path.join(root, source))));
  if (builtAt >= changedAt) return;
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/vite/bin/vite.js"), "build", "web", "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
