// The page's one GraphQL connection, remade when the API key changes, and its state.
import { useEffect, useState } from "preact/hooks";
import {
  type ConnectionStatus,
  createPlaygroundClient,
  graphqlWsUrl,
  type PlaygroundClient,
} from "../graphql/client.js";

export function usePlaygroundClient(apiKey: string): {
  client: PlaygroundClient | undefined;
  connection: ConnectionStatus;
} {
  const [client, setClient] = useState<PlaygroundClient>();
  const [connection, setConnection] = useState<ConnectionStatus>({ state: "connecting" });
  useEffect(() => {
    const created = createPlaygroundClient(graphqlWsUrl(window.location), apiKey);
    setClient(created);
    setConnection(created.status());
    const stopListening = created.onStatus(setConnection);
    return () => {
      stopListening();
      created.dispose();
    };
  }, [apiKey]);
  return { client, connection };
}
