// kirin-api/client: the client, polling, callbacks, errors and task helpers without the request
// validators, for a browser bundle that should stay small. Validation is opt-in, and only then
// bundled: `createKirinClient({ apiKey, validate: validateRequest })` with validateRequest from
// `kirin-api`. Everything here is also exported by `kirin-api`, under the same names.
import { createClient, type KirinClientOptions, type KirinCoreClient } from "./client.js";

export type * from "./types.js";

/** A client for the Kirin API (see KirinClientOptions) that checks creates only with the `validate` it is given. */
export function createKirinClient(options: KirinClientOptions): KirinCoreClient {
  return createClient(options);
}
export { requestIdOf, retryAfterOf } from "./answer.js";
export type { CallbackHandlerOptions, CallbackSeen, CallbackStore } from "./callbacks.js";
export { createCallbackHandler, parseCallback } from "./callbacks.js";
export type {
  CreateOptions,
  GetTaskOptions,
  KirinClient,
  KirinClientOptions,
  KirinCoreClient,
  RequestOptions,
  RequestValidator,
} from "./client.js";
export { DEFAULT_BASE_URL } from "./client.js";
export type { KirinErrorCategory } from "./errors.js";
export {
  apiError,
  KirinAbortError,
  KirinApiError,
  KirinAuthenticationError,
  KirinBadRequestError,
  KirinConflictError,
  KirinConnectionError,
  KirinCreateOutcomeUnknownError,
  KirinCreateRejectedError,
  KirinError,
  KirinInsufficientCreditsError,
  KirinInternalServerError,
  KirinNotFoundError,
  KirinPayloadTooLargeError,
  KirinPermissionDeniedError,
  KirinRateLimitError,
  KirinTaskCompletedWithoutOutputError,
  KirinTaskFailedError,
  KirinTimeoutError,
  KirinUnsupportedMediaTypeError,
  KirinValidationError,
} from "./errors.js";
export type { ClientHooks, Logger, LogLevel, Operation, RequestEvent, ResponseEvent, RetryEvent } from "./events.js";
export type { PollableClient, PollRequestOptions, WaitOptions } from "./poll.js";
export { waitForTask } from "./poll.js";
export type { TaskProgress } from "./progress.js";
export type { PollObservation, PollState, Schedule, ScheduleOptions } from "./schedule.js";
export { adaptiveSchedule } from "./schedule.js";
// Helpers over the documented task, and the reader of what the gateway sends.
export { hasOutputUrl, normalizeTask, taskCost, videoUrls } from "./task.js";
export type { KnownStatus, TaskContext, TaskReading } from "./wire.js";
export { errorCodeOf, readTask, taskStatusOf } from "./wire.js";
