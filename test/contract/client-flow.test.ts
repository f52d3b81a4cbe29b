// The typed client's whole flow - create, poll to the end, failures - against two servers built on
// the same contract: the stateful mock, and plain Prism steered by `Prefer` headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import {
  createKirinClient,
  KirinNotFoundError,
  KirinRateLimitError,
  type KirinRequest,
  KirinTaskFailedError,
  KirinValidationError,
  taskCost,
  videoUrls,
} from "../../src/index.js";
import { type Prism, startPrism } from "../support/servers.js";

type Ask = "completed" | "failed-094" | "not-found" | "rate-limited";

interface Target {
  url: string;
  /** Headers that make this server play a case, by request kind. */
  headers(ask: Ask): { create?: Record<string, string>; poll?: Record<string, string> };
}

let mock: MockServer;
let prism: Prism;
const targets: Record<string, Target> = {};

beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.5, log: () => {} });
  prism = await startPrism("mock");
  const scenario = (name: string) => ({ "x-kirin-mock-scenario": name });
  targets.mock = {
    url: mock.url,
    headers: (ask) =>
      ({
        completed: {},
        "failed-094": { create: scenario("fail-006001094") },
        "not-found": {},
        "rate-limited": { create: scenario("rate-limit") },
      })[ask],
  };
  targets.prism = {
    url: prism.url,
    headers: (ask) =>
      ({
        completed: { poll: { prefer: "example=TaskCompleted" } },
        "failed-094": { poll: { prefer: "example=TaskFailedResourceInsufficient" } },
        "not-found": { poll: { prefer: "code=404" } },
        "rate-limited": { create: { prefer: "code=429" } },
      })[ask],
  };
}, 60_000);
afterAll(async () => {
  await prism?.stop();
  await mock?.close();
});

/** A client whose fetch adds the target's headers for the case asked. */
function clientFor(name: string, ask: Ask, retries = 2) {
  const target = targets[name]!;
  const extra = target.headers(ask);
  return createKirinClient({
    apiKey: "contract-test-key",
    baseUrl: target.url,
    retries,
    fetch: (request: Request) => {
      const headers = request.method === "POST" ? extra.create : extra.poll;
      if (headers) for (const [k, v] of Object.entries(headers)) request.headers.set(k, v);
      return fetch(request);
    },
  });
}

const body: KirinRequest = {
  model: "kirin_v3_i2v",
  image: "https://cdn.example.com/images/fox-start.jpg",
  prompt: "The fox lifts its head and trots out of frame.",
  duration: "5",
};
const fast = { minIntervalMs: 50, maxIntervalMs: 200, timeoutMs: 20_000 };

describe.each(["mock", "prism"])("the client against %s", (name) => {
  it("creates a task and follows it to completed", async () => {
    const client = clientFor(name, "completed");
    const seen: string[] = [];
    const task = await client.generate(body, { ...fast, onProgress: (t) => seen.push(t.status) });
    expect(task.status).toBe("completed");
    expect(seen.at(-1)).toBe("completed");
    const [url] = videoUrls(task);
    expect(url).toMatch(/^https?:\/\/.+\.mp4/);
    expect(Number(taskCost(task))).toBeGreaterThan(0);
  });

  it("reports a failed task with its code and as retryable for 006001094", async () => {
    const client = clientFor(name, "failed-094");
    const error = await client.generate(body, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinTaskFailedError);
    expect(error).toMatchObject({ code: "006001094", retryable: true });
  });

  it("ends at once with KirinNotFoundError for an unknown task", async () => {
    const client = clientFor(name, "not-found");
    await expect(client.waitForTask("task_does_not_exist", fast)).rejects.toBeInstanceOf(KirinNotFoundError);
  });

  it("gives up on 429 with KirinRateLimitError after its retries", async () => {
    const client = clientFor(name, "rate-limited", 0);
    await expect(client.createTask(body)).rejects.toBeInstanceOf(KirinRateLimitError);
  });

  it("sends nothing for a request that breaks a rule", async () => {
    const client = clientFor(name, "completed");
    const error = await client.createTask({ model: "kirin_v3_omni_video", prompt: "<<<image_1>>> at dusk" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KirinValidationError);
    expect((error as KirinValidationError).issues.map((i) => i.rule)).toEqual(
      expect.arrayContaining(["aspect-ratio-required", "prompt-placeholders"]),
    );
  });
});

describe("the mock's video", () => {
  it("is downloadable from the completed task's URL", async () => {
    const task = await clientFor("mock", "completed").generate(body, fast);
    const res = await fetch(videoUrls(task)[0]!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
  });
});
