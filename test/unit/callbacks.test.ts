import { once } from "node:events";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createCallbackHandler, parseCallback } from "../../src/callbacks.js";
import { KirinValidationError } from "../../src/errors.js";
import { toNodeListener } from "../../src/node.js";
import { taskCost, videoUrls } from "../../src/task.js";
import type { Task } from "../../src/types.js";

// The contract's own examples for the callback payload must all pass.
const spec = JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8")) as {
  components: { examples: Record<string, { value: unknown }> };
};
const example = (name: string) => structuredClone(spec.components.examples[name]!.value) as Record<string, unknown>;

const post = (body: unknown, init: RequestInit = {}) =>
  new Request("https://me.example/kirin", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...init });

describe("parseCallback", () => {
  it.each(["TaskPending", "TaskProcessing", "TaskCompleted", "TaskFailedResourceInsufficient"])("accepts the contract example %s", (name) => {
    const task = parseCallback(example(name));
    expect(task.id).toBeTruthy();
  });

  it("accepts JSON text", () => {
    expect(parseCallback(JSON.stringify(example("TaskCompleted"))).status).toBe("completed");
  });

  it("normalises the gateway's variants into the contract's shape", () => {
    const done = { ...example("TaskCompleted"), status: "success" };
    expect(parseCallback(done).status).toBe("completed");
    const failedMessage = { ...example("TaskFailedResourceInsufficient"), status: "failed", error: { code: "006001094", message: "no capacity" } };
    expect(parseCallback(failedMessage).error).toEqual({ code: "006001094", error_message: "no capacity" });
    const failedString = { ...example("TaskFailedResourceInsufficient"), error: "boom" };
    expect(parseCallback(failedString).error).toEqual({ code: "unknown", error_message: "boom" });
    const stringDuration = example("TaskCompleted");
    (stringDuration.output as { content: { duration: unknown }[] }[])[0]!.content[0]!.duration = "5";
    expect(parseCallback(stringDuration).output?.[0]?.content[0]?.duration).toBe(5);
  });

  it.each([
    [{ ...example("TaskProcessing"), id: undefined }, "/id"],
    [{ ...example("TaskProcessing"), status: "exploded" }, "/status"],
    [{ ...example("TaskProcessing"), progress: -0.5 }, "/progress"],
    [{ ...example("TaskFailedResourceInsufficient"), error: undefined }, "/error"],
    [{ ...example("TaskProcessing"), usage: { cost: "0.1" } }, "/usage"],
  ])("rejects a payload outside the contract and names the field (%#)", (body, path) => {
    let error: unknown;
    try {
      parseCallback(JSON.parse(JSON.stringify(body)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KirinValidationError);
    const issues = (error as KirinValidationError).issues;
    expect(issues.some((i) => i.path === path || (path === "/usage" && i.path === ""))).toBe(true);
    expect((error as Error).message).toMatch(/^Invalid callback: /);
  });

  it("rejects non-JSON and non-objects", () => {
    expect(() => parseCallback("{nope")).toThrow(KirinValidationError);
    expect(() => parseCallback(null)).toThrow(KirinValidationError);
    expect(() => parseCallback([1])).toThrow(KirinValidationError);
  });
});

describe("createCallbackHandler", () => {
  it("answers 200 for an accepted payload and hands the task over once per notification", async () => {
    const received: Task[] = [];
    const handle = createCallbackHandler((t) => void received.push(t));
    const body = example("TaskCompleted");
    const first = await handle(post(body));
    const again = await handle(post(body));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(received).toHaveLength(1);
    // A different status of the same task is a new notification.
    await handle(post(example("TaskProcessing")));
    expect(received).toHaveLength(2);
  });

  it("deduplicates concurrent deliveries", async () => {
    let calls = 0;
    const handle = createCallbackHandler(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
    });
    const body = example("TaskCompleted");
    const answers = await Promise.all([handle(post(body)), handle(post(body))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(calls).toBe(1);
  });

  it("answers 400 for a payload outside the contract, with the issues", async () => {
    const handle = createCallbackHandler(() => {
      throw new Error("must not be called");
    });
    const response = await handle(post({ id: "x" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["/model", "/status"]));
    expect((await handle(post("not json"))).status).toBe(400);
  });

  it("answers 405 to anything but POST", async () => {
    const handle = createCallbackHandler(() => undefined);
    expect((await handle(new Request("https://me.example/kirin"))).status).toBe(405);
  });

  it("answers 500 when onTask throws, and handles the redelivery afresh", async () => {
    let calls = 0;
    const handle = createCallbackHandler(() => {
      if (++calls === 1) throw new Error("database down");
    });
    const body = example("TaskCompleted");
    expect((await handle(post(body))).status).toBe(500);
    expect((await handle(post(body))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("works behind Node's http server via toNodeListener", async () => {
    const received: Task[] = [];
    const server = createServer(toNodeListener(createCallbackHandler((t) => void received.push(t)), { maxBodyBytes: 10_000 }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    try {
      const url = `http://127.0.0.1:${port}/kirin`;
      const ok = await fetch(url, { method: "POST", body: JSON.stringify(example("TaskCompleted")), headers: { "content-type": "application/json" } });
      expect(ok.status).toBe(200);
      const bad = await fetch(url, { method: "POST", body: "{}" });
      expect(bad.status).toBe(400);
      const big = await fetch(url, { method: "POST", body: "x".repeat(20_000) }).catch(() => undefined);
      if (big) expect(big.status).toBe(413);
      expect(received).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});

describe("helpers", () => {
  it("videoUrls and taskCost read a completed task", () => {
    const task = parseCallback(example("TaskCompleted"));
    expect(videoUrls(task)).toEqual(["https://cdn.example.com/videos/task_01JD2M4V9Q8K3H7T5R6W2Y1X0Z.mp4"]);
    expect(taskCost(task)).toBe("0.35");
    const running = parseCallback(example("TaskProcessing"));
    expect(videoUrls(running)).toEqual([]);
    expect(taskCost(running)).toBeUndefined();
  });
});
