// Creating a task again after it failed with the transient 006001094 ("task resource
// insufficient": the gateway had no capacity, try later). It must go out under a NEW
// external_task_id: the old one names the failed task, and a create with it returns that task (the
// mock does so, as would a gateway that honours the id). The new id is derived from the original -
// `<original>-retry-2`, then `-retry-3` - so that the attempts of one request read as one family
// in any log, and a batch that dies after choosing one derives the same one again.
import type { CreateOptions, KirinCoreClient } from "./client.js";
import { KirinTaskCompletedWithoutOutputError, type KirinTaskFailedError } from "./errors.js";
import type { KirinRequest, Task } from "./types.js";

const SUFFIX = /-retry-(\d+)$/;
/** The contract's maxLength of `external_task_id`. */
const MAX_EXTERNAL_ID_LENGTH = 256;

/** Which attempt an external_task_id is: 1 for an original, N for `...-retry-N`. */
export function attemptOf(externalTaskId: string): number {
  const match = SUFFIX.exec(externalTaskId);
  return match ? Number(match[1]) : 1;
}

/**
 * The external_task_id for creating a request again: its original id with `-retry-N`, where N is
 * `attempt` (default: one more than the given id's own attempt). Deterministic: the same inputs
 * always give the same id. An original too long to take the suffix is cut and keeps a hash of
 * what was cut, so that two long ids sharing a prefix still derive different ids.
 */
export function recreateExternalId(externalTaskId: string, attempt = attemptOf(externalTaskId) + 1): string {
  if (!Number.isInteger(attempt) || attempt < 2) throw new RangeError(`a re-creation is attempt 2 or later, not ${attempt}`);
  const original = externalTaskId.replace(SUFFIX, "");
  const suffix = `-retry-${attempt}`;
  if (original.length + suffix.length <= MAX_EXTERNAL_ID_LENGTH) return original + suffix;
  const hash = `-${fnv1a(original)}`;
  return original.slice(0, MAX_EXTERNAL_ID_LENGTH - suffix.length - hash.length) + hash + suffix;
}

/**
 * Creates `request` again after `failure`, under a new external_task_id derived from the failed
 * task's (or the request's) - never the old one. Only for a retryable failure (`006001094`): any
 * other is thrown back, since sending the same request again would fail the same way and cost a
 * task. So is a task that completed without any output: `retryable`, but it may have been billed,
 * and whether to pay for another is a decision for the caller's own createTask, as a batch leaves
 * it too. When to call it is yours: the code means "no capacity now", so wait a while first.
 */
export async function recreate(
  client: Pick<KirinCoreClient, "createTask">,
  request: KirinRequest,
  failure: KirinTaskFailedError,
  options?: CreateOptions,
): Promise<Task> {
  if (!failure.retryable || failure instanceof KirinTaskCompletedWithoutOutputError) throw failure;
  const original = failure.task.external_task_id ?? request.external_task_id;
  const { external_task_id: _old, ...rest } = request;
  // Without any original id the client makes a fresh one, which is new by construction.
  const body = (original === undefined ? rest : { ...rest, external_task_id: recreateExternalId(original) }) as KirinRequest;
  return client.createTask(body, options);
}

/** 32-bit FNV-1a as 8 hex digits: short, stable, and enough to tell apart ids cut to one prefix. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
