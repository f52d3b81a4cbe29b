// kirin-api: the public surface. Names are stable.
// The client, polling, callbacks, errors and task helpers: all of kirin-api/client (client-entry.ts)...
export * from "./client-entry.js";
// ...except its createKirinClient: this one validates each create by default and carries `raw`.
// A module's own export wins over a name from `export *`.
export { createKirinClient } from "./client.js";
export type { KirinClientWithRaw } from "./client.js";
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
