// Maps a URL path onto a file of the built playground without ever leaving its folder, and says
// how each kind of file is served (content type, caching).
import { stat } from "node:fs/promises";
import path from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The file under `root` that `pathname` names, or undefined when it names none: a segment that does
 * not decode, is empty, `.`/`..`, hidden, or hides a separator or NUL after decoding is refused
 * before the file system is asked, and the joined path must still lie inside `root`.
 */
export function resolveInside(root: string, pathname: string): string | undefined {
  const segments = pathname.split("/").slice(1);
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (name === "" || name.startsWith(".") || /[/\\\0]/.test(name)) return undefined;
    decoded.push(name);
  }
  if (decoded.length === 0) return undefined;
  const resolvedRoot = path.resolve(root);
  const filePath = path.resolve(resolvedRoot, ...decoded);
  return filePath.startsWith(`${resolvedRoot}${path.sep}`) ? filePath : undefined;
}

export interface StaticFile {
  filePath: string;
  size: number;
  /** Weak validator from size and modification time: enough for files that change only on a rebuild. */
  etag: string;
}

/** The regular file at `filePath`, or undefined when there is none. */
export async function statFile(filePath: string): Promise<StaticFile | undefined> {
  const stats = await stat(filePath).catch(() => undefined);
  if (!stats?.isFile()) return undefined;
  return {
    filePath,
    size: stats.size,
    etag: `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
  };
}
