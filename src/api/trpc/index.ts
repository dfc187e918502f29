export type { InferqlErrorData, InferqlErrorShape } from "./errors.js";
export { createTrpcMount, TRPC_PATH } from "./mount.js";
export type { AppRouter } from "./router.js";
