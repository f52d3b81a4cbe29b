// kirin-api: the public surface. Names are stable. It is all of kirin-api/client (client-entry.ts:
// the client, polling, callbacks, errors and task helpers) with a createKirinClient that validates,
// plus request validation, image inspection and batches. The exports are sorted by module.

export type {
  BatchErrorInfo,
  BatchEvent,
  BatchItem,
  BatchOptions,
  BatchOutcome,
  BatchPhase,
  BatchProblem,
  BatchResult,
  BatchRun,
  BatchStatus,
  BatchSummary,
  StopReason,
} from "./batch.js";
// Batches: many requests under adaptiveConcurrency's limit, validated before any is sent, with a
// journal to resume from without paying twice.
export { KirinBatchValidationError, runBatch, validateBatch } from "./batch.js";
// kirin-api/client's createKirinClient is replaced by this one, which validates each create by
// default and carries `raw`: a module's own export wins over a name from `export *`.
export { createKirinClient } from "./client.js";
export * from "./client-entry.js";
export type { AdaptiveConcurrency, AdaptiveConcurrencyOptions } from "./concurrency.js";
// The concurrency limit batches run under: halved when the gateway pushes back, won back slowly.
export { adaptiveConcurrency } from "./concurrency.js";
// Image inspection: a URL or Base64, and a Base64 image's format, size and dimensions from its header.
export type { ImageInfo } from "./image.js";
export { imageToBase64, inspectImage } from "./image.js";
export type { BatchJournal, JournalEntry, JournalFact, KeyState } from "./journal.js";
export { JOURNAL_VERSION, journalLine, KirinJournalError, memoryJournal, parseJournal, replayJournal } from "./journal.js";
// Exact sums of the gateway's decimal cost strings.
export { sumDecimals } from "./money.js";
// Creating a task again after 006001094, under a new external_task_id derived from the original.
export { attemptOf, recreate, recreateExternalId } from "./recreate.js";
// Request validation: the contract's schemas, then the rules they cannot state.
export { validateRequest, validateWireRequest } from "./validate.js";
