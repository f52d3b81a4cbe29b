import { describe, expect, it } from "vitest";
import { KirinTaskCompletedWithoutOutputError, KirinTaskFailedError } from "../../src/errors.js";
import { attemptOf, recreate, recreateExternalId } from "../../src/recreate.js";
import type { KirinRequest, Task } from "../../src/types.js";

describe("recreateExternalId", () => {
  it("derives a new id from the original: -retry-2, then -retry-3, the same every time", () => {
    expect(recreateExternalId("order-7")).toBe("order-7-retry-2");
    expect(recreateExternalId("order-7-retry-2")).toBe("order-7-retry-3");
    expect(recreateExternalId("order-7", 5)).toBe("order-7-retry-5");
    expect(recreateExternalId("order-7-retry-2", 4)).toBe("order-7-retry-4");
    expect(attemptOf("order-7")).toBe(1);
    expect(attemptOf("order-7-retry-3")).toBe(3);
  });

  it("keeps within the contract's 256 characters, and long ids that share a prefix stay apart", () => {
    const a = `${"x".repeat(250)}a`;
    const b = `${"x".repeat(250)}b`;
    const ra = recreateExternalId(a);
    expect(ra.length).toBeLessThanOrEqual(256);
    expect(ra).not.toBe(recreateExternalId(b));
    expect(recreateExternalId(ra)).toBe(ra.replace(/-retry-2$/, "-retry-3"));
  });

  it("refuses an attempt that is not a re-creation", () => {
    expect(() => recreateExternalId("a", 1)).toThrow(RangeError);
  });
});

describe("recreate", () => {
  const failed = (code: string, externalTaskId?: string) =>
    new KirinTaskFailedError({
      id: "task_1",
      status: "failed",
      error: { code, error_message: "x" },
      ...(externalTaskId && { external_task_id: externalTaskId }),
    } as Task);
  const request: KirinRequest = { model: "kirin_v3_omni_video", prompt: "A boat.", aspect_ratio: "1:1", external_task_id: "order-9" };

  function recordingClient() {
    const bodies: KirinRequest[] = [];
    return { bodies, createTask: async (body: KirinRequest) => (bodies.push(body), { id: "task_2", status: "in_progress" } as Task) };
  }

  it("creates the request again under the id derived from the failed task's, never the old one", async () => {
    const client = recordingClient();
    await recreate(client, request, failed("006001094", "order-9-retry-2"));
    expect(client.bodies).toEqual([{ ...request, external_task_id: "order-9-retry-3" }]);
  });

  it("derives from the request's own id when the task does not echo it, and lets the client make one when there is none", async () => {
    const client = recordingClient();
    await recreate(client, request, failed("006001094"));
    const { external_task_id: _, ...withoutId } = request;
    await recreate(client, withoutId as KirinRequest, failed("006001094"));
    expect(client.bodies.map((b) => b.external_task_id)).toEqual(["order-9-retry-2", undefined]);
  });

  it("refuses a failure that is not retryable: the same request would fail again, and cost a task", async () => {
    const client = recordingClient();
    const error = failed("006001095", "order-9");
    await expect(recreate(client, request, error)).rejects.toBe(error);
    expect(client.bodies).toEqual([]);
  });

  it("refuses a task that completed without output: retryable, but it may have been billed, so no create is sent", async () => {
    const client = recordingClient();
    const error = new KirinTaskCompletedWithoutOutputError({
      id: "task_1",
      status: "completed",
      output: [],
      external_task_id: "order-9",
    } as Task);
    expect(error.retryable).toBe(true);
    await expect(recreate(client, request, error)).rejects.toBe(error);
    expect(client.bodies).toEqual([]);
  });
});
