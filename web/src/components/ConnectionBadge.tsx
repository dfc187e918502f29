// The connection's state in the header, and a plain explanation when it is not connected.
import type { ConnectionStatus } from "../graphql/client.js";
import { describeError } from "../graphql/errors.js";

const LABELS: Record<ConnectionStatus["state"], string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  failed: "Not connected",
};

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  return (
    <p class={`connection connection--${status.state}`} role="status">
      <span class="connection__dot" aria-hidden="true" />
      {LABELS[status.state]}
    </p>
  );
}

export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  if (status.state === "reconnecting")
    return (
      <div class="banner banner--warning" role="alert">
        Lost the connection to the server{status.error.code ? ` (code ${status.error.code})` : ""}. Retrying
        {status.attempt > 1 ? ` (attempt ${status.attempt})` : ""}…
      </div>
    );
  if (status.state === "failed")
    return (
      <div class="banner banner--error" role="alert">
        {describeError(status.error)}
      </div>
    );
  return null;
}
