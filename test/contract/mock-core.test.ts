// The mock core called directly, with no socket: a manual clock steps tasks and callbacks, so the
// lifecycle scenarios (queue, fail-at, callbacks twice/out of order/late, expiring URLs, -once and
// share scenarios) and the admin surface are checked without waiting.
import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { createMockCore, type ManualClock, manualClock, SCENARIO_NAMES, SCENARIOS } from "../../mock/core/index.js";

const BASE = "http://mock.test";
const AUTH = { authorization: "Bearer core-key", "content-type": "application/json" };
const wire = (params: Record<string, unknown>, model = "kirin_v3_omni_video") => ({ model, input: [{ params }] });
const omni = (extra: Record<string, unknown> = {}) => wire({ prompt: "A boat", aspect_ratio: "16:9", ...extra });

function setup(options: Parameters<typeof createMockCore>[0] = {}) {
  const clock: ManualClock = manualClock(1_700_000_000_000);
  const received: any[] = [];
  const core = createMockCore({
    taskSeconds: 10,
    clock,
    log: () => {},
    fetch: async (_url, init) => {
      received.push(JSON.parse(String(init?.body)));
      return new Response(null, { status: 204 });
    },
    ...options,
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await core.fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { ...AUTH, ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    );
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined,
      bytes: text.length,
    };
  };
  const create = (body: unknown, scenario?: string) =>
    call("POST", "/model/v1/generation", body, scenario ? { "x-kirin-mock-scenario": scenario } : {});
  const poll = (id: string, scenario?: string) =>
    call("GET", `/model/v1/generation/task/${id}`, undefined, scenario ? { "x-kirin-mock-scenario": scenario } : {});
  return { core, clock, received, call, create, poll };
}

describe("the core is a plain Fetch handler", () => {
  it("imports nothing from node: (it runs in a browser's service worker)", () => {
    for (const file of readdirSync("mock/core", { recursive: true }) as string[]) {
      if (!file.endsWith(".ts")) continue;
      expect(readFileSync(`mock/core/${file}`, "utf8"), file).not.toMatch(/from ["']node:|require\(/);
    }
  });

  it("exports every scenario name of the contract at run time", () => {
    expect(SCENARIO_NAMES).toContain("rate-limit-once");
    expect(SCENARIOS.map((s) => s.name)).toEqual(
      expect.arrayContaining(["fail-at:P", "rate-limit-share:P", "callback-late", "url-expires"]),
    );
  });

  it("answers with the key it was configured with, and 401 for any other", async () => {
    const { call } = setup({ apiKey: "the-key" });
    const path = "/model/v1/generation";
    expect((await call("POST", path, omni(), { authorization: "Bearer the-key" })).status).toBe(200);
    const other = await call("POST", path, omni(), { authorization: "Bearer another" });
    expect(other.status).toBe(401);
    expect(other.json.error.message).toMatch(/not the one/);
  });

  it("counts a body's size in bytes, not characters, where no content-length says it (MSW)", async () => {
    const body = (letter: string) => omni({ prompt: letter.repeat(50) });
    const chars = JSON.stringify(body("e")).length;
    const { core } = setup({ maxBodyBytes: chars + 10 });
    const send = async (letter: string) => {
      const request = new Request(`${BASE}/model/v1/generation`, { method: "POST", headers: AUTH, body: JSON.stringify(body(letter)) });
      expect(request.headers.get("content-length")).toBeNull();
      return (await core.fetch(request)).status;
    };
    expect(await send("e")).toBe(200);
    expect(await send("é")).toBe(413); // the same characters, 50 bytes more in UTF-8
  });
});

describe("lifecycle on the injected clock", () => {
  it("queues (in_progress, progress 0), then rises, then completes; queue-long queues for half the run", async () => {
    const { clock, create, poll } = setup();
    const { json: task } = await create(omni());
    const { json: long } = await create(omni(), "queue-long");
    clock.advance(1_000);
    expect((await poll(task.id)).json).toMatchObject({ status: "in_progress", progress: 0 });
    clock.advance(3_000);
    expect((await poll(task.id)).json.progress).toBeGreaterThan(0);
    expect((await poll(long.id)).json.progress).toBe(0);
    clock.advance(6_000);
    expect((await poll(task.id)).json.status).toBe("completed");
  });

  it("fail-at:60 fails with 006001095 when progress reaches 60%", async () => {
    const { clock, create, poll } = setup();
    const { json } = await create(omni(), "fail-at:60");
    clock.advance(6_000);
    expect((await poll(json.id)).json.status).toBe("in_progress");
    clock.advance(4_000);
    const failed = (await poll(json.id)).json;
    expect(failed).toMatchObject({ status: "failed", progress: 0.6, error: { code: 6001095 } });
  });

  it("the admin surface lists requests and tasks, and fast-forwards a task to its end", async () => {
    const { call, create, poll } = setup();
    const { json } = await create(omni(), "slow");
    await poll(json.id);
    const state = (await call("GET", "/__mock/tasks")).json;
    expect(state.tasks).toEqual([expect.objectContaining({ id: json.id, status: "pending", scenario: "slow", run_ms: 100_000 })]);
    expect(state.requests.map((r: any) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /model/v1/generation 200",
      `GET /model/v1/generation/task/${json.id} 200`,
    ]);
    expect((await call("POST", `/__mock/tasks/${json.id}/advance?seconds=50`)).json.progress).toBeGreaterThan(0.3);
    expect((await call("POST", `/__mock/tasks/${json.id}/advance`)).json.status).toBe("completed");
    expect((await poll(json.id)).json.status).toBe("completed");
    expect((await call("DELETE", "/__mock/tasks")).status).toBe(204);
    expect((await call("GET", "/__mock/tasks")).json).toMatchObject({ tasks: [], requests: [] });
  });
});

describe("HTTP errors that recover", () => {
  for (const [scenario, status, fails] of [
    ["rate-limit-once", 429, 1],
    ["server-error:2", 500, 2],
    ["unavailable:3", 503, 3],
  ] as const) {
    it(`${scenario} answers ${status} ${fails} time(s), then succeeds`, async () => {
      const { create } = setup();
      const statuses: number[] = [];
      for (let i = 0; i < fails + 2; i++) statuses.push((await create(omni(), scenario)).status);
      expect(statuses).toEqual([...Array(fails).fill(status), 200, 200]);
    });
  }

  it("counts a [mock:NAME-once] in the prompt per operation: the retried create succeeds", async () => {
    const { create } = setup();
    const body = omni({ prompt: "A boat [mock:rate-limit-once]" });
    expect((await create(body)).status).toBe(429);
    expect((await create(body)).status).toBe(200);
  });

  it("rate-limit-share:30 limits about 30% of requests", async () => {
    let i = 0;
    const { create } = setup({ random: () => (i++ % 10) / 10 });
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) statuses.push((await create(omni(), "rate-limit-share:30")).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
  });

  it("rejects an unknown or malformed scenario by name", async () => {
    const { create } = setup();
    for (const bad of ["nope", "fail-at:100", "slow:3", "rate-limit-share:0"]) {
      const res = await create(omni(), bad);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.issues[0].rule).toBe("mock-scenario");
    }
  });
});

describe("callbacks as a real service sends them", () => {
  const statuses = (received: any[]) => received.map((t) => `${t.status}:${t.progress}`);

  it("on time: one per status change, each carrying the task as it was then", async () => {
    const { clock, create, received } = setup();
    await create(omni({ callback_url: "http://receiver.test/hook" }), undefined);
    clock.advance(20_000);
    await Promise.resolve();
    expect(statuses(received)).toEqual(["in_progress:0", "completed:1"]);
  });

  it("callback-twice delivers each change twice", async () => {
    const { clock, create, received } = setup();
    await create(omni({ callback_url: "http://receiver.test/hook" }), "callback-twice");
    clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses(received)).toEqual(["in_progress:0", "in_progress:0", "completed:1", "completed:1"]);
  });

  it("callback-out-of-order delivers the final change before the start", async () => {
    const { clock, create, received } = setup();
    await create(omni({ callback_url: "http://receiver.test/hook" }), "callback-out-of-order");
    clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses(received)).toEqual(["completed:1", "in_progress:0"]);
  });

  it("callback-late delivers each change a run time after it happened, after a poll has seen it", async () => {
    const { clock, create, poll, received } = setup();
    const { json } = await create(omni({ callback_url: "http://receiver.test/hook" }), "callback-late");
    clock.advance(10_000);
    expect((await poll(json.id)).json.status).toBe("completed");
    expect(received).toEqual([]);
    clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses(received)).toEqual(["in_progress:0", "completed:1"]);
  });

  it("fast-forwarding a task sends the callbacks it passes", async () => {
    const { call, clock, create, received } = setup();
    const { json } = await create(omni({ callback_url: "http://receiver.test/hook" }));
    await call("POST", `/__mock/tasks/${json.id}/advance`);
    clock.advance(0); // due now: a manual clock runs timers only when stepped
    await new Promise((r) => setTimeout(r, 0));
    expect(statuses(received)).toEqual(["in_progress:0", "completed:1"]);
    expect(received[1].output[0].content[0].url).toMatch(/^http:\/\/mock\.test\/media\/sample-16x9\.mp4\?/);
  });
});

describe("the sample video", () => {
  /** Width and height from the MP4's video track header (tkhd, 16.16 fixed point). */
  function dimensions(bytes: Uint8Array): [number, number] {
    const text = Buffer.from(bytes);
    const at = text.indexOf("tkhd");
    const version = text[at + 4]!;
    const end = at + 4 + (version === 1 ? 96 : 84);
    return [text.readUInt32BE(end - 8) >> 16, text.readUInt32BE(end - 4) >> 16];
  }

  it("follows aspect_ratio: 16:9, 9:16 and 1:1 are each a video of that shape", async () => {
    const { clock, core, create, poll } = setup();
    for (const [ratio, expected] of [
      ["16:9", [320, 180]],
      ["9:16", [180, 320]],
      ["1:1", [240, 240]],
    ] as const) {
      const { json } = await create(omni({ aspect_ratio: ratio }));
      clock.advance(10_000);
      const url = (await poll(json.id)).json.output[0].content[0].url as string;
      const res = await core.fetch(new Request(url));
      expect(res.headers.get("content-type")).toBe("video/mp4");
      expect(dimensions(new Uint8Array(await res.arrayBuffer()))).toEqual(expected);
    }
  });

  it("ignores `Range: bytes=-` (200, the whole file) as HTTP says, and serves a real range as 206", async () => {
    const { core } = setup();
    const url = `${BASE}/media/sample-16x9.mp4`;
    const whole = await core.fetch(new Request(url, { headers: { range: "bytes=-" } }));
    expect(whole.status).toBe(200);
    const part = await core.fetch(new Request(url, { headers: { range: "bytes=0-99" } }));
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    expect((await core.fetch(new Request(url, { headers: { range: "bytes=99999999-" } }))).status).toBe(416);
  });

  it("url-expires: the URL answers 403 once it is 5 s past completion", async () => {
    const { clock, core, create, poll } = setup();
    const { json } = await create(omni(), "url-expires");
    clock.advance(10_000);
    const url = (await poll(json.id)).json.output[0].content[0].url as string;
    expect((await core.fetch(new Request(url))).status).toBe(200);
    clock.advance(6_000);
    const expired = await core.fetch(new Request(url));
    expect(expired.status).toBe(403);
    expect((await expired.json()).error.code).toBe("url_expired");
  });
});

describe("every scenario stays inside the contract", () => {
  const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "spec", components: spec.components });
  const check = (name: string) => ajv.compile({ $ref: `spec#/components/schemas/${name}` });
  const isCreateAnswer = check("CreateTaskAnswer");
  const isWireTask = check("WireTask");
  const isError = ajv.compile({
    anyOf: [{ $ref: "spec#/components/schemas/ErrorResponse" }, { $ref: "spec#/components/schemas/ErrorBody" }],
  });

  // With a number where the list names one (fail-at:P -> fail-at:50).
  it.each(SCENARIOS.map((s) => s.name.replace(/:[A-Z]$/, ":50")))(
    "%s: the create, each poll and the end answer as the contract says",
    async (scenario) => {
      const { clock, call } = setup({ random: () => 0 });
      for (const shapes of ["wire", "documented"]) {
        const headers = { "x-kirin-mock-shapes": shapes, "x-kirin-mock-scenario": scenario };
        const created = await call("POST", "/model/v1/generation", omni(), headers);
        if (created.status !== 200) {
          expect(isError(created.json), JSON.stringify(isError.errors)).toBe(true);
          continue;
        }
        expect(isCreateAnswer(created.json), JSON.stringify(isCreateAnswer.errors)).toBe(true);
        if (!created.json.id) continue;
        for (const step of [0, 3_000, 200_000]) {
          clock.advance(step);
          const { status, json } = await call("GET", `/model/v1/generation/task/${created.json.id}`, undefined, headers);
          expect(isWireTask(json) || (status !== 200 && isError(json)), JSON.stringify(json)).toBe(true);
        }
      }
    },
  );
});

describe("callbacks are bounded", () => {
  it("with maxPending deliveries outstanding, a create that asks for callbacks gets 503; room comes back as they finish", async () => {
    const { clock, create, received } = setup({
      callbacks: { timeoutMs: 1_000, retries: 0, backoffMs: 10, concurrency: 2, maxPending: 4 },
    });
    const hook = omni({ callback_url: "http://receiver.test/hook" });
    expect((await create(hook)).status).toBe(200);
    expect((await create(hook)).status).toBe(200);
    const refused = await create(hook);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await create(omni())).status).toBe(200); // without callbacks: no limit
    clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(received).toHaveLength(4);
    expect((await create(hook)).status).toBe(200);
  });

  it("a URL the adapter's policy refuses is a 400 on the field; logs never show a URL's credentials", async () => {
    const lines: string[] = [];
    const { clock, create } = setup({
      callbackPolicy: (url) => (url.includes("metadata") ? "`callback_url` points at a metadata address." : undefined),
      callbackPost: async () => ({ reason: "HTTP 500" }),
      callbacks: { timeoutMs: 1_000, retries: 0, backoffMs: 10, concurrency: 2, maxPending: 10 },
      log: (line) => lines.push(line),
    });
    const refused = await create(omni({ callback_url: "http://metadata.test/x" }));
    expect(refused.status).toBe(400);
    expect(refused.json.error.issues).toEqual([
      expect.objectContaining({ path: "/input/0/params/callback_url", rule: "mock-callback-address" }),
    ]);
    await create(omni({ callback_url: "http://user:s3cret@receiver.test/hook?token=abc" }));
    clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toContain("to http://receiver.test/hook?token=***");
      expect(line).not.toMatch(/user|s3cret|abc/);
    }
  });
});
