// What every GraphQL resolver receives: the transport-agnostic operations, the request's id for
// logs, and a signal that aborts when the client goes away.
import type { Resolvers } from "../../resolvers/index.js";
import type { RequestOrigin } from "../requestOrigin.js";

export interface GraphqlContext {
  resolvers: Resolvers;
  /** Names this operation in logs and in masked errors, so a client can report it. */
  requestId: string;
  /** Aborted when the HTTP response closes or the WebSocket closes. */
  signal: AbortSignal;
  /** The HTTP request (for a WebSocket: its upgrade) as the server named it; passed to generations. */
  origin?: RequestOrigin;
}
