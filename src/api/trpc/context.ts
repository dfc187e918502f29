// The context every tRPC procedure gets. Its members are declared in contextMembers.ts, by
// augmentation: the router's type names only this interface, so the client's bundled types
// (`inferql/client`, scripts/bundleClientTypes.mjs) carry an empty context and nothing of the
// server's (resolvers, pino, node-llama-cpp), while the server's own code sees every member.
// biome-ignore lint/suspicious/noEmptyInterface: filled by contextMembers.ts (see above).
export interface TrpcContext {}
