// kirin-api: the public surface. Names are stable.
export type * from "./types.js";
// Client, polling, callbacks, errors.
export { createKirinClient, DEFAULT_BASE_URL } from "./client.js";
export type { KirinClient, KirinClientWithRaw, KirinClientOptions, RequestOptions, GetTaskOptions, CreateOptions, RequestValidator } from "./client.js";
export { requestIdOf, retryAfterOf } from "./answer.js";
export type { ClientHooks, Logger, LogLevel, Operation, RequestEvent, ResponseEvent, RetryEvent } from "./events.js";
export { waitForTask } from "./poll.js";
export type { WaitOptions, PollableClient, PollRequestOptions } from "./poll.js";
export { adaptiveSchedule } from "./schedule.js";
export type { Schedule, ScheduleOptions, PollState, PollObservation } from "./schedule.js";
export type { TaskProgress } from "./progress.js";
export { parseCallback, createCallbackHandler } from "./callbacks.js";
export type { CallbackHandlerOptions, CallbackStore, CallbackSeen } from "./callbacks.js";
// Reading what the gateway sends, and helpers over the documented task.
export { readTask, taskStatusOf, errorCodeOf } from "./wire.js";
export type { KnownStatus, TaskReading, TaskContext } from "./wire.js";
export { normalizeTask, videoUrls, hasOutputUrl, taskCost } from "./task.js";
export {
  KirinError,
  KirinApiError,
  KirinBadRequestError,
  KirinAuthenticationError,
  KirinInsufficientCreditsError,
  KirinPermissionDeniedError,
  KirinNotFoundError,
  KirinConflictError,
  KirinPayloadTooLargeError,
  KirinUnsupportedMediaTypeError,
  KirinRateLimitError,
  KirinInternalServerError,
  KirinCreateRejectedError,
  KirinCreateOutcomeUnknownError,
  KirinConnectionError,
  KirinValidationError,
  KirinTaskFailedError,
  KirinTaskCompletedWithoutOutputError,
  KirinTimeoutError,
  KirinAbortError,
  apiError,
} from "./errors.js";
export type { KirinErrorCategory } from "./errors.js";
// Request validation and image inspection.
export { validateRequest, validateWireRequest } from "./validate.js";
export { inspectImage, imageToBase64 } from "./image.js";
export type { ImageInfo } from "./image.js";
// The concurrency limit batches run under: halved when the gateway pushes back, won back slowly.
export { adaptiveConcurrency } from "./concurrency.js";
export type { AdaptiveConcurrency, AdaptiveConcurrencyOptions } from "./concurrency.js";
// Creating a task again after 006001094, under a new external_task_id derived from the original.
export { recreate, recreateExternalId, attemptOf } from "./recreate.js";
// Exact sums of the gateway's decimal cost strings.
export { sumDecimals } from "./money.js";
// Batches: many requests under that limit, validated before any is sent, with a journal to resume
// from without paying twice.
export { runBatch, validateBatch, KirinBatchValidationError } from "./batch.js";
export type {
  BatchItem,
  BatchOptions,
  BatchResult,
  BatchOutcome,
  BatchErrorInfo,
  BatchEvent,
  BatchPhase,
  BatchRun,
  BatchStatus,
  BatchSummary,
  BatchProblem,
  StopReason,
} from "./batch.js";
export { memoryJournal, replayJournal, parseJournal, journalLine, KirinJournalError, JOURNAL_VERSION } from "./journal.js";
export type { BatchJournal, JournalEntry, JournalFact, KeyState } from "./journal.js";
