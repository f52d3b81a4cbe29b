// Testing code that uses the Kirin client with a fake client: no HTTP at all. KirinCoreClient (the
// client's calls) is a plain interface, and waitForTask needs nothing but a getTask.

import { type KirinCoreClient, type KirinRequest, KirinTaskFailedError, type Task, videoUrls, waitForTask } from "kirin-api";
import { expect, it, vi } from "vitest";

// The code under test (in your app, in a module of its own). It asks only for the part of the
// client it uses, so a test can hand it exactly that.
async function renderIntro(kirin: Pick<KirinCoreClient, "generate">, prompt: string): Promise<string> {
  const task = await kirin.generate({ model: "kirin_v3_omni_video", prompt, aspect_ratio: "16:9" });
  return videoUrls(task)[0]!;
}

const completed = (id: string): Task => ({
  id,
  status: "completed",
  output: [{ content: [{ type: "video", url: `https://cdn.example.test/${id}.mp4` }] }],
});

it("returns the video's URL", async () => {
  const generate = vi.fn(async (_body: KirinRequest) => completed("task_1"));
  expect(await renderIntro({ generate }, "A paper boat.")).toBe("https://cdn.example.test/task_1.mp4");
  expect(generate).toHaveBeenCalledWith(expect.objectContaining({ prompt: "A paper boat." }));
});

it("passes a failed task on, as the real client throws it", async () => {
  const failed: Task = { id: "task_2", status: "failed", error: { code: "006001094", error_message: "Task resource insufficient" } };
  const generate = async (): Promise<Task> => {
    throw new KirinTaskFailedError(failed);
  };
  await expect(renderIntro({ generate }, "A paper boat.")).rejects.toMatchObject({ code: "006001094", retryable: true });
});

// A whole KirinCoreClient, for code that takes one: every member is public. Tasks finish on their
// second look; waitForTask polls this fake exactly as it polls the real client.
function fakeKirin() {
  const created: KirinRequest[] = [];
  const looks = new Map<string, number>();
  const kirin: KirinCoreClient = {
    async createTask(body) {
      created.push(body);
      return { id: `task_${created.length}`, model: body.model, status: "pending" };
    },
    async getTask(id) {
      const n = (looks.get(id) ?? 0) + 1;
      looks.set(id, n);
      return n < 2 ? { id, status: "processing", progress: 0.5 } : completed(id);
    },
    waitForTask: (id, options) => waitForTask(kirin, id, options),
    generate: async (body, options) => kirin.waitForTask((await kirin.createTask(body, options)).id, options),
  };
  return { kirin, created };
}

it("runs on a whole fake client, polling on fake timers", async () => {
  vi.useFakeTimers();
  try {
    const { kirin, created } = fakeKirin();
    const url = renderIntro(kirin, "A paper boat.");
    await vi.runAllTimersAsync(); // the waits between polls pass at once
    expect(await url).toBe("https://cdn.example.test/task_1.mp4");
    expect(created).toHaveLength(1);
  } finally {
    vi.useRealTimers();
  }
});
