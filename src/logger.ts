// Structured JSON logs (pino), one logger per process.
import { type Logger, pino } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: "inferql" } });
}
