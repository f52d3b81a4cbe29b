// The mock API over HTTP: lifecycle, rules, scenarios, idempotent creates, callbacks, bad input.

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/server.js";

// The contract's error envelope, to check the answers Prism's proxy never lets reach the mock
// (Prism answers 401, 413 and 415 itself), and those outside the contract's operations.
const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: "spec", components: spec.components });
const isErrorResponse = ajv.compile({ $ref: "spec#/components/schemas/ErrorResponse" });
const isErrorBody = ajv.compile({ $ref: "spec#/components/schemas/ErrorBody" });
const isWireTask = ajv.compile({ $ref: "spec#/components/schemas/WireTask" });
const isTask = ajv.compile({ $ref: "spec#/components/schemas/Task" });
const DOCUMENTED = { "x-kirin-mock-shapes": "documented" };
const running = (t: any) => ["pending", "processing", "in_progress"].includes(t.status);

const AUTH = { authorization: "Bearer test-key" };
const JSON_TYPE = { "content-type": "application/json" };
const logs: string[] = [];
let mock: MockServer;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.6, maxTasks: 50, log: (l) => logs.push(l) });
});
afterAll(() => mock.close());

const wire = (params: Record<string, unknown>, model = "kirin_v3_i2v") => ({ model, input: [{ params }] });
const i2v = (extra: Record<string, unknown> = {}) => wire({ image: "https://x.test/a.png", prompt: "A fox", ...extra });

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { ...AUTH, ...(body !== undefined && JSON_TYPE), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
const create = (body: unknown, headers?: Record<string, string>) => call("POST", "/model/v1/generation", body, headers);
const poll = (id: string, headers?: Record<string, string>) =>
  call("GET", `/model/v1/generation/task/${encodeURIComponent(id)}`, undefined, headers);

async function until(id: string, done: (t: any) => boolean, seen: any[] = [], headers?: Record<string, string>) {
  for (let i = 0; i < 200; i++) {
    const { json } = await poll(id, headers);
    seen.push(json);
    if (done(json)) return json;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${id} never reached the state`);
}

describe("lifecycle", () => {
  it("answers in the real gateway's shapes by default: in_progress from the create on, progress 0 while queued, no model, created_at in seconds", async () => {
    const created = await create(i2v({ duration: "5" }));
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ status: "in_progress", progress: 0 });
    expect(created.json.model).toBeUndefined();
    expect(Math.abs(created.json.created_at - Date.now() / 1000)).toBeLessThan(5);
    expect(Number.isInteger(created.json.created_at)).toBe(true);
    const seen: any[] = [];
    const done = await until(created.json.id, (t) => t.status === "completed", seen);
    expect(new Set(seen.filter(running).map((t) => t.status))).toEqual(new Set(["in_progress"]));
    // The queue: progress sits at 0 for a while, then rises.
    const progress = seen.filter(running).map((t) => t.progress);
    expect(progress[0]).toBe(0);
    expect(progress.some((p) => p > 0)).toBe(true);
    expect(done.model).toBeUndefined();
    for (const t of [created.json, ...seen]) expect(isWireTask(t), JSON.stringify(isWireTask.errors)).toBe(true);
  });

  it("walks pending -> processing (progress rising) -> completed with a playable MP4 and usage, in the documented shapes", async () => {
    const created = await create(i2v({ duration: "10", mode: "pro" }), DOCUMENTED);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ model: "kirin_v3_i2v", status: "pending", progress: 0 });
    expect(created.json.id).toMatch(/^task_[0-9a-f]{24}$/);
    expect(Math.abs(created.json.created_at - Date.now())).toBeLessThan(5_000);

    const seen: any[] = [];
    const done = await until(created.json.id, (t) => t.status === "completed", seen, DOCUMENTED);
    for (const t of [created.json, ...seen]) expect(isTask(t), JSON.stringify(isTask.errors)).toBe(true);
    const progress = seen.filter((t) => t.status === "processing").map((t) => t.progress);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((p) => p >= 0 && p < 1)).toBe(true);
    expect(done.progress).toBe(1);
    expect(done.usage).toEqual({ cost: "1.1200", discount: 1 });
    expect(done.error).toBeUndefined();
    const content = done.output[0].content[0];
    expect(content).toMatchObject({ type: "video", duration: 10 });

    const video = await fetch(content.url);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    const bytes = new Uint8Array(await video.arrayBuffer());
    expect(bytes.length).toBeLessThan(100_000);
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe("ftyp");

    const part = await fetch(content.url, { headers: { range: "bytes=0-99" } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
  });

  it("finds a task by its external_task_id, and only for its owner", async () => {
    const created = await create(i2v({ external_task_id: "ext-lookup-1" }));
    expect((await poll("ext-lookup-1")).json.id).toBe(created.json.id);
    expect((await poll(created.json.id, { authorization: "Bearer someone-else" })).status).toBe(404);
  });

  it("answers 404 in the error envelope for an unknown task", async () => {
    const { status, json, headers } = await poll("task_missing");
    expect(status).toBe(404);
    expect(json.error).toMatchObject({ code: "not_found" });
    expect(json.error.request_id).toBe(headers.get("x-request-id"));
  });
});

describe("external_task_id", () => {
  it("returns the existing task for the same body and 409 for a different one", async () => {
    const first = await create(i2v({ external_task_id: "ext-dup" }));
    const again = await create(i2v({ external_task_id: "ext-dup" }));
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const other = await create(i2v({ external_task_id: "ext-dup", prompt: "Another fox" }));
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe("conflict");
  });

  it("treats key order as the same body", async () => {
    const a = await create({
      input: [{ params: { prompt: "x", image: "https://x.test/a.png", external_task_id: "ext-order" } }],
      model: "kirin_v3_i2v",
    });
    const b = await create(i2v({ prompt: "x", external_task_id: "ext-order" }));
    expect(b.json.id).toBe(a.json.id);
  });
});

describe("request rules", () => {
  it("answers 400 with every broken rule, paths into the wire body", async () => {
    const { status, json } = await create(
      wire({
        image: "data:image/png;base64,iVBORw0KGgo=",
        multi_shot: true,
        shot_type: "customize",
        multi_prompt: [
          { index: 1, prompt: "a", duration: "3" },
          { index: 2, prompt: "b", duration: "4" },
        ],
        mode: "turbo",
      }),
    );
    expect(status).toBe(400);
    expect(json.error.code).toBe("invalid_request");
    const found = json.error.issues.map((i: any) => `${i.path} ${i.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "/input/0/params/mode enum",
        expect.stringMatching(/^\/input\/0\/params\/image image-source$/),
        expect.stringMatching(/^\/input\/0\/params\/multi_prompt.* shot-durations-sum$/),
      ]),
    );
    for (const issue of json.error.issues) expect(issue.message.length).toBeGreaterThan(10);
  });

  it("rejects a body outside the envelope", async () => {
    const { status, json } = await create({ model: "kirin_v3_i2v", params: {} });
    expect(status).toBe(400);
    expect(json.error.issues.length).toBeGreaterThan(0);
  });
});

describe("scenarios", () => {
  it.each([
    ["fail-006001094", "Task resource insufficient"],
    ["fail-006001095", "Task response error"],
    ["fail-006001099", "Task creation error"],
  ])("%s fails the task with its code (header), an integer with `message` on the wire", async (scenario, message) => {
    const { json } = await create(i2v(), { "x-kirin-mock-scenario": scenario });
    const failed = await until(json.id, (t) => !running(t));
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({ code: Number(scenario.slice(5)), message });
    expect(failed.output).toBeUndefined();
    const documented = await poll(json.id, DOCUMENTED);
    expect(documented.json.error).toEqual({ code: scenario.slice(5), error_message: message });
  });

  it("reads the scenario from a [mock:NAME] marker in the prompt", async () => {
    const { json } = await create(i2v({ prompt: "A fox [mock:fail-006001099]" }));
    const failed = await until(json.id, (t) => t.status === "failed");
    expect(failed.error.code).toBe(6001099);
  });

  it("rate-limit answers 429 with Retry-After, server-error 500, unavailable 503", async () => {
    const limited = await create(i2v(), { "x-kirin-mock-scenario": "rate-limit" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.json.error.code).toBe("rate_limited");
    expect((await create(i2v(), { "x-kirin-mock-scenario": "server-error" })).status).toBe(500);
    const unavailable = await poll("any", { "x-kirin-mock-scenario": "unavailable" });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("1");
  });

  it.each([
    ["insufficient-credits", 402, { status: { code: 402, message: "Insufficient credits", error_code: 40201 }, data: null }],
    ["unauthorized-string", 401, { error: "Missing Token" }],
    ["bad-request-message", 400, { message: "bad request" }],
    ["not-found-wrapper", 404, { status: { code: 404, message: "missing" }, data: null }],
    ["rate-limit-code", 429, { error: { code: 1002, message: "rate limit exceeded" } }],
    ["server-error-message", 500, { error: { error_message: "Task creation error" } }],
  ])("%s answers %i in the gateway's own envelope", async (scenario, status, body) => {
    for (const res of [
      await create(i2v(), { "x-kirin-mock-scenario": scenario }),
      await poll("any", { "x-kirin-mock-scenario": scenario }),
    ]) {
      expect(res.status).toBe(status);
      expect(res.json).toEqual(body);
      expect(isErrorBody(res.json)).toBe(true);
    }
  });

  it("create-rejected answers 200 with an error and no task; create-failed with a task that already failed", async () => {
    const rejected = await create(i2v({ external_task_id: "ext-rejected" }), { "x-kirin-mock-scenario": "create-rejected" });
    expect(rejected.status).toBe(200);
    expect(rejected.json.id).toBeUndefined();
    expect(rejected.json.error.error_message).toBe("Task creation error");
    expect((await poll("ext-rejected")).status).toBe(404);
    const failed = await create(i2v(), { "x-kirin-mock-scenario": "create-failed" });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({
      status: "failed",
      error: { code: 110001, message: "input image may contain sensitive information" },
    });
  });

  it("rejects an unknown shapes value by name", async () => {
    const { status, json } = await create(i2v(), { "x-kirin-mock-shapes": "fancy" });
    expect(status).toBe(400);
    expect(json.error.issues[0].message).toContain("fancy");
  });

  it("slow takes ten times longer", async () => {
    const normal = await create(i2v());
    const slow = await create(i2v(), { "x-kirin-mock-scenario": "slow" });
    await until(normal.json.id, (t) => t.status === "completed");
    expect((await poll(slow.json.id)).json.status).not.toBe("completed");
  });

  it("rejects an unknown scenario by name", async () => {
    const { status, json } = await create(i2v(), { "x-kirin-mock-scenario": "explode" });
    expect(status).toBe(400);
    expect(json.error.issues[0].message).toContain("explode");
  });
});

describe("callbacks", () => {
  it("POSTs the task on every status change, and survives a receiver that fails", async () => {
    const received: any[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const { json } = await create(i2v({ callback_url: url }));
      const broken = await create(i2v({ callback_url: "http://127.0.0.1:9/nothing-listens" }));
      expect(broken.status).toBe(200);
      await until(json.id, (t) => t.status === "completed");
      for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(received.map((t) => t.status)).toEqual(["in_progress", "completed"]);
      expect(received[1].id).toBe(json.id);
      expect(received[1].output[0].content[0].url).toMatch(/\/media\/sample-16x9\.mp4\?task=/);
    } finally {
      receiver.close();
    }
  });
});

describe("bad input never takes the mock down", () => {
  it("answers each with the right 4xx in the error envelope and keeps serving", async () => {
    const cases: [Promise<{ status: number; json: any }>, number, string][] = [
      [call("POST", "/model/v1/generation", i2v(), { authorization: "" }), 401, "unauthorized"],
      [call("POST", "/model/v1/generation", i2v(), { authorization: "Bearer " }), 401, "unauthorized"],
      [create("{not json"), 400, "invalid_request"],
      [create(JSON.stringify(i2v()), { "content-type": "text/plain" }), 415, "unsupported_media_type"],
      [create("[".repeat(100_000) + "]".repeat(100_000)), 400, "invalid_request"],
      [
        create(JSON.stringify({ model: "kirin_v3_i2v", input: [{ params: { prompt: { a: { b: { c: [[[[1]]]] } } } } }] })),
        400,
        "invalid_request",
      ],
      [create("null"), 400, "invalid_request"],
      [call("GET", "/model/v1/generation"), 405, "method_not_allowed"],
      [call("DELETE", "/model/v1/generation/task/x"), 405, "method_not_allowed"],
      [call("GET", "/nowhere"), 404, "not_found"],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(res.json?.error?.code).toBe(code);
      expect(isErrorResponse(res.json), JSON.stringify(isErrorResponse.errors)).toBe(true);
    }
    expect((await create(i2v())).status).toBe(200);
  });

  it("answers 413 for a body over the limit", async () => {
    const small = await startMockServer({ port: 0, maxBodyBytes: 1024, log: () => {} });
    try {
      const res = await fetch(`${small.url}/model/v1/generation`, {
        method: "POST",
        headers: { ...AUTH, ...JSON_TYPE },
        body: JSON.stringify(i2v({ prompt: "x".repeat(5000) })),
      });
      expect(res.status).toBe(413);
      const body = await res.json();
      expect(body.error.code).toBe("payload_too_large");
      expect(isErrorResponse(body)).toBe(true);
    } finally {
      await small.close();
    }
  });
});

describe("memory bound", () => {
  it("keeps at most maxTasks finished tasks, evicting the oldest", async () => {
    const small = await startMockServer({ port: 0, taskSeconds: 0.05, maxTasks: 5, log: () => {} });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${small.url}/model/v1/generation`, {
          method: "POST",
          headers: { ...AUTH, ...JSON_TYPE },
          body: JSON.stringify(i2v({ prompt: `fox ${i}` })),
        });
        ids.push((await res.json()).id);
        await new Promise((r) => setTimeout(r, 60));
      }
      expect(small.store.size).toBe(5);
      const first = await fetch(`${small.url}/model/v1/generation/task/${ids[0]}`, { headers: AUTH });
      const last = await fetch(`${small.url}/model/v1/generation/task/${ids[7]}`, { headers: AUTH });
      expect([first.status, last.status]).toEqual([404, 200]);
    } finally {
      await small.close();
    }
  });
});

describe("docs", () => {
  it("serves the reference and the bundled contract", async () => {
    const docs = await fetch(`${mock.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("Kirin V3");
    const spec = await (await fetch(`${mock.url}/openapi.json`)).json();
    expect(spec.openapi).toBe("3.1.0");
  });
});

describe("docs it serves name this mock", () => {
  it("the reference and the contract list the mock at the address it listens on, not the default :4010", async () => {
    expect(mock.url).not.toBe("http://127.0.0.1:4010");
    const docs = await (await fetch(`${mock.url}/docs`)).text();
    expect(docs).toContain(mock.url);
    // (Not a bare substring test: a free port such as 40105 begins with 4010.)
    expect(docs).not.toMatch(/http:\/\/127\.0\.0\.1:4010(?!\d)/);
    const spec = await (await fetch(`${mock.url}/openapi.json`)).json();
    expect(spec.servers.map((s: { url: string }) => s.url)).toContain(mock.url);
  });

  it("the server descriptions are plain text (Redoc shows them without Markdown: no literal backticks)", () => {
    for (const server of spec.servers) expect(server.description).not.toContain("`");
  });

  it("pages name an icon, and /favicon.ico answers for a browser that asks anyway", async () => {
    const docs = await (await fetch(`${mock.url}/docs`)).text();
    expect(docs).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
    const icon = await fetch(`${mock.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
  });
});
