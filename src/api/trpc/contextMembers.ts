// What a tRPC procedure's context holds (see context.ts for why it is declared apart).
import type { Logger } from "pino";
import type { Resolvers } from "../../resolvers/index.js";
import type { RequestOrigin } from "../requestOrigin.js";

declare module "./context.js" {
  interface TrpcContext {
    resolvers: Resolvers;
    logger: Logger;
    /** The HTTP request (for a WebSocket: its upgrade) as the server named it; passed to generations. */
    origin?: RequestOrigin;
    /** Over a WebSocket: counts one operation toward the client's rate limit (HTTP requests are counted by the server). */
    admitOperation?: () => void | Promise<void>;
  }
}
