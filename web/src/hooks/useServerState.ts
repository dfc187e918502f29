// What the server serves and how busy it is: the models (fetched on every (re)connection) and the
// scheduler's state, live from the schedulerEvents subscription.
import { useEffect, useState } from "preact/hooks";
import type { ConnectionStatus, PlaygroundClient } from "../graphql/client.js";
import {
  ModelsDocument,
  type ModelsQuery,
  SchedulerEventsDocument,
  type SchedulerFieldsFragment,
} from "../graphql/documents.js";
import { describeError } from "../graphql/errors.js";

export type ServedModel = ModelsQuery["models"][number];

export function useModels(client: PlaygroundClient | undefined, connection: ConnectionStatus): ServedModel[] {
  const [models, setModels] = useState<ServedModel[]>([]);
  const connected = connection.state === "connected";
  useEffect(() => {
    if (!client || !connected) return;
    let current = true;
    client
      .request(ModelsDocument, {})
      .then((data) => {
        if (current) setModels(data.models);
      })
      .catch(() => undefined); // the connection banner tells what went wrong
    return () => {
      current = false;
    };
  }, [client, connected]);
  return models;
}

export interface SchedulerFeed {
  state?: SchedulerFieldsFragment;
  error?: string;
}

export function useSchedulerFeed(client: PlaygroundClient | undefined): SchedulerFeed {
  const [feed, setFeed] = useState<SchedulerFeed>({});
  useEffect(() => {
    if (!client) return;
    setFeed({});
    // graphql-ws subscribes again by itself after a reconnect.
    return client.subscribe(
      SchedulerEventsDocument,
      {},
      {
        next: (data) => setFeed({ state: data.schedulerEvents }),
        error: (error) =>
          setFeed((current) => ({
            ...current,
            // Connection trouble is explained once, in the banner.
            error: error.kind === "graphql" ? describeError(error) : "Not connected: no live updates.",
          })),
        complete: () => undefined,
      },
    );
  }, [client]);
  return feed;
}
