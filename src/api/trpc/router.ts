// appRouter: the domain routers merged. Its type, AppRouter, is the typed client's whole contract.
import { chatRouter } from "./routers/chat.js";
import { completionRouter } from "./routers/completion.js";
import { embeddingsRouter } from "./routers/embeddings.js";
import { infillRouter } from "./routers/infill.js";
import { healthProcedure, modelsRouter } from "./routers/models.js";
import { rerankProcedure } from "./routers/rerank.js";
import { schedulerRouter } from "./routers/scheduler.js";
import { tokenizerRouter } from "./routers/tokenizer.js";
import { router } from "./trpc.js";

export const appRouter = router({
  health: healthProcedure,
  models: modelsRouter,
  chat: chatRouter,
  completion: completionRouter,
  infill: infillRouter,
  embeddings: embeddingsRouter,
  rerank: rerankProcedure,
  tokenizer: tokenizerRouter,
  scheduler: schedulerRouter,
});

export type AppRouter = typeof appRouter;
