// kirin-api/client: the client, polling, callbacks, errors and task helpers without the request
// validators, for a browser bundle that should stay small. Validation is opt-in, and only then
// bundled: `createKirinClient({ apiKey, validate: validateRequest })` with validateRequest from
// `kirin-api`. Everything here is also exported by `kirin-api`, under the same names.
import { createClient, type KirinClient, type KirinClientOptions } from "./client.js";

export type * from "./types.js";

/** A client for the Kirin API (see KirinClientOptions) that checks creates only with the `validate` it is given. */
export function createKirinClient(options: KirinClientOptions): KirinClient {
  return createClient(options);
}
export { DEFAULT_BASE_URL } from "./client.js";
export type { KirinClient, KirinClientOptions, RequestOptions, GetTaskOptions, CreateOptions, RequestValidator } from "./client.js";
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
