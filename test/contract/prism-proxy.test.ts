// Prism as referee: the mock runs behind `prism proxy generated/openapi.json <mock> --errors`, which
// turns any response outside the contract into an error. A scripted session walks every status,
// every error the mock gives for a request Prism lets through, and every scenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";
import { type Prism, startPrism } from "../support/servers.js";

let mock: MockServer;
let proxy: Prism;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.8, log: () => {} });
  proxy = await startPrism("proxy", mock.url);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await mock?.close();
});

const AUTH = { authorization: "Bearer contract-test" };
const wire = (params: Record<string, unknown>) => ({
  model: "kirin_v3_i2v",
  input: [{ params: { image: "https://x.test/a.png", prompt: "A fox", ...params } }],
});

interface Exchange {
  step: string;
  status: number;
  violations: string | null;
  body: any;
}
const session: Exchange[] = [];

async function exchange(step: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${proxy.url}${path}`, {
    method,
    headers: { ...AUTH, ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const entry = { step, status: res.status, violations: res.headers.get("sl-violations"), body: text ? JSON.parse(text) : null };
  session.push(entry);
  return entry;
}
const create = (step: string, body: unknown, headers?: Record<string, string>) =>
  exchange(step, "POST", "/model/v1/generation", body, headers);
const poll = (step: string, id: string, headers?: Record<string, string>) =>
  exchange(step, "GET", `/model/v1/generation/task/${id}`, undefined, headers);

async function pollUntil(step: string, id: string, final: string[], headers?: Record<string, string>) {
  const statuses = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const { body } = await poll(step, id, headers);
    statuses.add(body.status);
    if (final.includes(body.status)) return statuses;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`${id} did not finish`);
}

describe("the mock behind prism proxy --errors", () => {
  it("keeps the contract through a scripted session", async () => {
    const created = await create("create", wire({ external_task_id: "proxy-1", callback_url: "http://127.0.0.1:9/hook" }));
    expect(created.status).toBe(200);
    expect(await pollUntil("poll to completed (wire shapes)", created.body.id, ["completed"])).toEqual(
      new Set(["in_progress", "completed"]),
    );
    const DOCUMENTED = { "x-kirin-mock-shapes": "documented" };
    const documented = await create("create (documented shapes)", wire({}), DOCUMENTED);
    expect(documented.body.status).toBe("pending");
    expect(await pollUntil("poll to completed (documented)", documented.body.id, ["completed"], DOCUMENTED)).toEqual(
      new Set(["pending", "processing", "completed"]),
    );
    expect((await poll("poll by external id", "proxy-1")).status).toBe(200);
    expect(
      (await create("same external id, same body", wire({ external_task_id: "proxy-1", callback_url: "http://127.0.0.1:9/hook" }))).status,
    ).toBe(200);
    expect((await create("same external id, other body", wire({ external_task_id: "proxy-1" }))).status).toBe(409);

    // Breaks runtime rules only, so Prism's own request check lets it through to the mock.
    const invalid = await create(
      "rule-breaking request",
      wire({ multi_shot: true, shot_type: "customize", multi_prompt: [{ index: 1, prompt: "a <<<image_1>>>", duration: "3" }] }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues.map((i: any) => i.rule)).toContain("shot-durations-sum");

    expect((await poll("unknown task", "task_unknown")).status).toBe(404);

    for (const code of ["006001094", "006001095", "006001099"]) {
      const failing = await create(`fail-${code}`, wire({}), { "x-kirin-mock-scenario": `fail-${code}` });
      expect(failing.status).toBe(200);
      await pollUntil(`fail-${code} to failed`, failing.body.id, ["failed"]);
    }
    expect((await create("rate-limit", wire({}), { "x-kirin-mock-scenario": "rate-limit" })).status).toBe(429);
    expect((await create("server-error", wire({}), { "x-kirin-mock-scenario": "server-error" })).status).toBe(500);
    expect((await poll("unavailable", "x", { "x-kirin-mock-scenario": "unavailable" })).status).toBe(503);
    // The gateway's own error envelopes, the 402 among them, and the two odd 200s of a create.
    for (const [scenario, status] of [
      ["insufficient-credits", 402],
      ["bad-request-message", 400],
      ["rate-limit-code", 429],
      ["server-error-message", 500],
    ] as const) {
      expect((await create(scenario, wire({}), { "x-kirin-mock-scenario": scenario })).status).toBe(status);
    }
    for (const [scenario, status] of [
      ["unauthorized-string", 401],
      ["not-found-wrapper", 404],
    ] as const) {
      expect((await poll(scenario, "x", { "x-kirin-mock-scenario": scenario })).status).toBe(status);
    }
    expect((await create("create-rejected", wire({}), { "x-kirin-mock-scenario": "create-rejected" })).body.id).toBeUndefined();
    expect((await create("create-failed", wire({}), { "x-kirin-mock-scenario": "create-failed" })).body.status).toBe("failed");
    const slow = await create("slow", wire({}), { "x-kirin-mock-scenario": "slow" });
    expect((await poll("slow poll", slow.body.id)).body.status).toBe("in_progress");

    // Every response of the session passed Prism's validation.
    const violated = session.filter((e) => e.violations !== null || e.body?.type?.includes?.("stoplight.io/prism/errors"));
    expect(violated).toEqual([]);
    expect(session.length).toBeGreaterThan(20);
  });

  it("would catch a response outside the contract (the referee is awake)", async () => {
    // An upstream that answers a task with an unknown status and no id.
    const { createServer } = await import("node:http");
    const bad = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ model: "m", status: "done" }));
    });
    await new Promise<void>((r) => bad.listen(0, "127.0.0.1", r));
    const referee = await startPrism("proxy", `http://127.0.0.1:${(bad.address() as { port: number }).port}`);
    try {
      const res = await fetch(`${referee.url}/model/v1/generation/task/t1`, { headers: AUTH });
      const flagged = res.status >= 500 || res.headers.get("sl-violations") !== null;
      expect(flagged).toBe(true);
    } finally {
      await referee.stop();
      bad.close();
    }
  }, 60_000);
});
