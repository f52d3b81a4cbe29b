// Testing with the real client and a fake `fetch`: validation, the gateway's envelope, reading its
// answers, typed errors and aborts all run as in production; only the network is replaced.

import { createKirinClient, KirinAbortError, KirinRateLimitError, KirinValidationError } from "kirin-api";
import { expect, it, vi } from "vitest";

it("sends the gateway's envelope with the key, and reads its answer", async () => {
  const sent: Request[] = [];
  const kirin = createKirinClient({
    apiKey: "test-key",
    baseUrl: "https://api.example.test",
    fetch: async (request) => {
      sent.push(request);
      return Response.json({ id: "task_1", status: "in_progress", model: "kirin_v3_omni_video" });
    },
  });
  const task = await kirin.createTask({ model: "kirin_v3_omni_video", prompt: "A paper boat.", aspect_ratio: "1:1" });
  expect(task).toMatchObject({ id: "task_1", status: "processing" }); // the gateway's in_progress, read
  expect(sent[0]!.url).toBe("https://api.example.test/model/v1/generation");
  expect(sent[0]!.headers.get("authorization")).toBe("Bearer test-key");
  expect(await sent[0]!.json()).toMatchObject({ model: "kirin_v3_omni_video", input: [{ params: { prompt: "A paper boat." } }] });
});

it("refuses a request that breaks a rule before anything is sent", async () => {
  const fetch = vi.fn(async () => Response.json({}));
  const kirin = createKirinClient({ apiKey: "test-key", fetch });
  const error = await kirin.createTask({ model: "kirin_v3_i2v", prompt: "No image." } as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KirinValidationError);
  expect((error as KirinValidationError).issues[0]).toMatchObject({ path: "/image", rule: "image-or-image-tail" });
  expect(fetch).not.toHaveBeenCalled();
});

it("turns a 429 it may not retry into KirinRateLimitError", async () => {
  const kirin = createKirinClient({
    apiKey: "test-key",
    retries: 0,
    fetch: async () => Response.json({ error: { code: 1002, message: "rate limit exceeded" } }, { status: 429 }),
  });
  await expect(kirin.getTask("task_1")).rejects.toBeInstanceOf(KirinRateLimitError);
});

it("ends a cancelled call with KirinAbortError, and sends nothing more", async () => {
  let sent = 0;
  const kirin = createKirinClient({
    apiKey: "test-key",
    // A server that never answers: the request waits until its signal aborts.
    fetch: (request) => {
      sent++;
      return new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
    },
  });
  const controller = new AbortController();
  const pending = kirin.getTask("task_1", { signal: controller.signal });
  await vi.waitFor(() => expect(sent).toBe(1));
  const reason = new Error("the user left the page");
  controller.abort(reason);
  await expect(pending).rejects.toBeInstanceOf(KirinAbortError);
  await expect(pending).rejects.toMatchObject({ cause: reason });
  expect(sent).toBe(1);
});
