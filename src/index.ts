// kirin-api: the public surface. Names are stable; see ARCHITECTURE.md "Public surface".
export type * from "./types.js";
// Client, polling, callbacks, errors (issues 3 and 4).
export { createKirinClient, DEFAULT_BASE_URL } from "./client.js";
export type { KirinClient, KirinClientOptions, RequestOptions } from "./client.js";
export { waitForTask } from "./poll.js";
export type { WaitOptions, PollableClient, PollResult } from "./poll.js";
export { adaptiveSchedule } from "./schedule.js";
export type { Schedule, ScheduleOptions, PollState, PollObservation } from "./schedule.js";
export type { TaskProgress } from "./progress.js";
export { parseCallback, createCallbackHandler } from "./callbacks.js";
export type { CallbackHandlerOptions } from "./callbacks.js";
export { normalizeTask, taskStatusOf, videoUrls, taskCost } from "./task.js";
export {
  KirinError,
  KirinApiError,
  KirinBadRequestError,
  KirinAuthenticationError,
  KirinPermissionDeniedError,
  KirinNotFoundError,
  KirinConflictError,
  KirinPayloadTooLargeError,
  KirinUnsupportedMediaTypeError,
  KirinRateLimitError,
  KirinInternalServerError,
  KirinConnectionError,
  KirinValidationError,
  KirinTaskFailedError,
  KirinTimeoutError,
  apiError,
} from "./errors.js";
// Request validation and image inspection (issue 3).
export { validateRequest, validateWireRequest } from "./validate.js";
export { inspectImage, imageToBase64 } from "./image.js";
export type { ImageInfo } from "./image.js";
