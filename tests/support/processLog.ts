// The JSON log lines of an `inferql` process a test started (pino writes one per line on stdout):
// read whole lines as they come, wait for one, or for the URL it listens on.
import type { ChildProcess } from "node:child_process";

export interface LogLine {
  msg: string;
  level: number;
  url?: string;
  [field: string]: unknown;
}

export interface LogSoFar {
  /** Every line logged so far; lines logged later are still appended. */
  lines: LogLine[];
  /** Whether a line matched `until` (false: the process exited first, with `code`). */
  matched: boolean;
  code: number | null;
  /** What the process wrote on stderr so far (when it is piped). */
  stderr: string;
}

/** The lines the process logs until one matches `until`, or until it exits. */
export function logUntil(child: ChildProcess, until: (line: LogLine) => boolean): Promise<LogSoFar> {
  const log: LogSoFar = { lines: [], matched: false, code: null, stderr: "" };
  child.stderr?.on("data", (chunk) => {
    log.stderr += chunk;
  });
  return new Promise((resolve) => {
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const complete = (partial + chunk.toString()).split("\n");
      partial = complete.pop() ?? "";
      // Lines that are not JSON are not the server's (`npm start` prints a banner first).
      for (const text of complete.filter((line) => line.startsWith("{"))) {
        const line = JSON.parse(text) as LogLine;
        log.lines.push(line);
        if (!log.matched && until(line)) {
          log.matched = true;
          resolve(log);
        }
      }
    });
    child.on("close", (code) => {
      log.code = code;
      resolve(log);
    });
  });
}

/**
 * The URL the process listens on, once it has logged `until` ("listening", or "ready" once its
 * models are loaded); fails, with its stderr, when it exits first.
 */
export async function listeningUrl(
  child: ChildProcess,
  until: "listening" | "ready" = "listening",
): Promise<{ url: string; log: LogSoFar }> {
  const log = await logUntil(child, (line) => line.msg === until);
  const url = log.lines.find((line) => line.msg === "listening")?.url;
  if (!log.matched || !url)
    throw new Error(`the server exited (code ${log.code}) before '${until}': ${log.stderr}`);
  return { url, log };
}
