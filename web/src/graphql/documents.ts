// The typed operations this page runs, generated from codegen/operations (`npm run codegen`).
export {
  CancelGenerationDocument,
  type ChatCompletionInput,
  type ChatMessageInput,
  ChatStreamDocument,
  type ChatStreamSubscription,
  type FinishReason,
  ModelsDocument,
  type ModelsQuery,
  SchedulerEventsDocument,
  type SchedulerFieldsFragment,
} from "../../../codegen/generated/graphql.js";
