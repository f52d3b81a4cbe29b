// Public types, all derived from the generated contract types: nothing here restates a field.
import type { components, paths } from "../generated/schema.js";

type Schemas = components["schemas"];

export type { components, paths };
export type KirinV3I2VParams = Schemas["KirinV3I2VParams"];
export type KirinV3OmniVideoParams = Schemas["KirinV3OmniVideoParams"];
/** The gateway's wire body: `{ model, input: [ { params } ] }`. */
export type CreateTaskRequest = Schemas["CreateTaskRequest"];
/** A task in its documented form: what every function of this library returns. */
export type Task = Schemas["Task"];
export type TaskStatus = Schemas["TaskStatus"];
export type TaskError = Schemas["TaskError"];
/** A task as the gateway may send it (any variant); read it into a Task with `normalizeTask`. */
export type WireTask = Schemas["WireTask"];
export type TaskCallback = Schemas["TaskCallback"];
/** The body of an HTTP error answer, in any of the gateway's envelopes. */
export type ErrorBody = Schemas["ErrorBody"];
/** This project's mock's own error envelope (one of ErrorBody's forms). */
export type ErrorResponse = Schemas["ErrorResponse"];
export type KirinModel = CreateTaskRequest["model"];

/** What a user writes: the model id and that model's parameters, flat. */
export type KirinRequest = ({ model: "kirin_v3_i2v" } & KirinV3I2VParams) | ({ model: "kirin_v3_omni_video" } & KirinV3OmniVideoParams);

/** One broken rule. `path` is a JSON Pointer into the body that was validated. */
export interface ValidationIssue {
  path: string;
  rule: string;
  message: string;
  severity: "error" | "warning";
}

export interface ValidationResult {
  /** `false` when any issue is an error; warnings alone keep it `true`. */
  valid: boolean;
  issues: ValidationIssue[];
}
