// The core's one error mapper: whatever a route throws becomes an answer here. A MockHttpError is
// answered as it says (the contract's ErrorResponse, or a gateway envelope sent as it is); anything
// else is the mock's own bug, logged and answered 500 in the contract's envelope.
import type { ErrorResponse, ValidationIssue } from "../../src/types.js";

export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly issues?: ValidationIssue[],
    /** A body in one of the gateway's own envelopes, sent as it is (the envelope scenarios). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export function badRequest(issues: ValidationIssue[]): MockHttpError {
  const errors = issues.filter((i) => i.severity === "error").length;
  return new MockHttpError(400, "invalid_request", `The request breaks ${errors} rule${errors === 1 ? "" : "s"}.`, {}, issues);
}

/** One issue with the request as a whole (bad JSON, an unknown scenario). */
export const requestIssue = (rule: string, message: string) => badRequest([{ path: "", rule, message, severity: "error" }]);

/**
 * Bytes in a buffer of their own, which `new Response` accepts: `Uint8Array<ArrayBuffer>` on
 * TypeScript 5.7 and newer. Written through `slice` (which returns exactly that there, and a plain
 * `Uint8Array` before 5.7, when typed arrays took no type argument) so that the published
 * declarations still type-check on the package's oldest supported TypeScript (scripts/entries.mjs).
 */
export type OwnedBytes = ReturnType<Uint8Array["slice"]>;

/**
 * An answer before it becomes a Response: what the routes return. `core.fetch` makes a Response of
 * it; an adapter that writes bytes to a socket (the Node server) writes it as it is, because
 * building a Response and reading its stream back for every request halved the mock's throughput
 * and grew its memory by a quarter.
 */
export interface MockAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | OwnedBytes | null;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): MockAnswer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export const toResponse = (answer: MockAnswer) => new Response(answer.body, { status: answer.status, headers: answer.headers });

export function errorAnswer(error: unknown, requestId: string, log: (line: string) => void): MockAnswer {
  const e =
    error instanceof MockHttpError ? error : new MockHttpError(500, "internal_error", "The mock failed while handling the request.");
  if (!(error instanceof MockHttpError)) log(`internal error: ${(error as Error)?.stack ?? error}`);
  if (e.body !== undefined) return json(e.status, e.body, e.headers);
  const body: ErrorResponse = { error: { code: e.code, message: e.message, request_id: requestId } };
  if (e.issues) body.error.issues = e.issues;
  return json(e.status, body, e.headers);
}

/** Thrown by an adapter's body stream when a body outgrows the bound while it streams in. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

export const tooLarge = (limit: number) =>
  new MockHttpError(413, "payload_too_large", `The request body is larger than ${limit} bytes (${(limit / 1024 / 1024).toFixed(0)} MiB).`, {
    connection: "close",
  });
