// The mock under hostile input, over real sockets: oversized uploads, prototype keys, malformed
// paths, callbacks aimed at the machine's own metadata service, a public listening address.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { connect } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLinkLocalOrMetadata, safeUrl } from "../../mock/callbacks.js";
import { type MockServer, startMockServer } from "../../mock/server.js";

const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: "spec", components: spec.components });
const isErrorResponse = ajv.compile({ $ref: "spec#/components/schemas/ErrorResponse" });

const AUTH = { authorization: "Bearer test-key" };
const logs: string[] = [];
let mock: MockServer;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, taskSeconds: 0.3, log: (line) => logs.push(line) });
});
afterAll(() => mock.close());

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { ...AUTH, ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * Sends raw HTTP on one connection: `before` (whole requests, say a GET), then a POST with `body`,
 * written as fast as the socket takes it. Returns the status lines read and the first write or
 * socket error, if any.
 */
function rawUpload(port: number, body: Buffer, before = ""): Promise<{ statuses: string[]; error: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    let error: string | undefined;
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on("close", () => resolve({ statuses: [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!), error }));
    socket.write(before);
    socket.write(
      `POST /model/v1/generation HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + 65_536);
        offset += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  });
}

describe("an oversized body", () => {
  // 40 MB, over the contract's 32 MiB: the issue's upload, which got EPIPE instead of 413.
  const body = Buffer.from(
    JSON.stringify({ model: "kirin_v3_i2v", input: [{ params: { prompt: "p", image: "A".repeat(40 * 1024 * 1024) } }] }),
  );
  const port = () => Number(new URL(mock.url).port);

  it("gets 413 on a fresh connection, and the upload is never cut off", async () => {
    for (let i = 0; i < 3; i++) expect(await rawUpload(port(), body)).toEqual({ statuses: ["413"], error: undefined });
  });

  it("gets 413 on a kept-alive connection after another request", async () => {
    const get = "GET /model/v1/generation/task/none HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer k\r\n\r\n";
    for (let i = 0; i < 3; i++) expect(await rawUpload(port(), body, get)).toEqual({ statuses: ["404", "413"], error: undefined });
  });

  it("the 413 is in the contract's envelope, and the mock keeps serving", async () => {
    const res = await fetch(`${mock.url}/model/v1/generation`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(413);
    const json = await res.json();
    expect(json.error).toMatchObject({ code: "payload_too_large", message: "The request body is larger than 33554432 bytes (32 MiB)." });
    expect(isErrorResponse(json)).toBe(true);
    expect((await call("GET", "/model/v1/generation/task/none")).status).toBe(404);
  });
});

describe("prototype keys in a create", () => {
  it.each([
    [
      "params under __proto__",
      `{"model":"kirin_v3_i2v","input":[{"params":{"__proto__":{"image":"https://x.test/a.png","prompt":"p"}}}]}`,
      "/input/0/params/__proto__",
    ],
    [
      "the envelope under __proto__",
      `{"__proto__":{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p"}}]}}`,
      "/__proto__",
    ],
    [
      "a __proto__ beside valid params",
      `{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p","__proto__":{"duration":"bogus"}}}]}`,
      "/input/0/params/__proto__",
    ],
    [
      "constructor.prototype",
      `{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p","constructor":{"prototype":{"x":1}}}}]}`,
      "/input/0/params/constructor",
    ],
  ])("%s: 400 with the rule's issue, never 200 or 500", async (_what, text, path) => {
    const res = await call("POST", "/model/v1/generation", text);
    expect(res.status).toBe(400);
    expect(isErrorResponse(res.json)).toBe(true);
    expect(res.json.error.issues).toContainEqual(expect.objectContaining({ path, rule: "no-prototype-keys", severity: "error" }));
  });
});

const wire = (params: Record<string, unknown>) =>
  JSON.stringify({ model: "kirin_v3_i2v", input: [{ params: { image: "https://x.test/a.png", prompt: "p", ...params } }] });

/** Resolves once `check()` holds, polling every 10 ms (up to 5 s). */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe("callbacks to link-local and metadata addresses", () => {
  it.each([
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://169.254.170.2/v2/credentials",
    "http://[fe80::1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://0xa9fea9fe/hook",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/",
  ])("%s is refused with 400, naming the field and the option that allows it", async (url) => {
    const res = await call("POST", "/model/v1/generation", wire({ callback_url: url }));
    expect(res.status).toBe(400);
    expect(isErrorResponse(res.json)).toBe(true);
    expect(res.json.error.issues).toEqual([
      expect.objectContaining({
        path: "/input/0/params/callback_url",
        rule: "mock-callback-address",
        message: expect.stringContaining("--allow-link-local-callbacks"),
      }),
    ]);
  });

  it("loopback and private addresses stay allowed (a receiver on this machine or this network)", () => {
    for (const address of ["127.0.0.1", "10.0.0.5", "192.168.1.20", "::1", "169.253.255.255", "169.255.0.1"])
      expect(isLinkLocalOrMetadata(address)).toBe(false);
  });

  it("are delivered when the mock is started to allow them", async () => {
    const lines: string[] = [];
    const open = await startMockServer({
      port: 0,
      taskSeconds: 0.05,
      allowLinkLocalCallbacks: true,
      callbackRetries: 0,
      callbackTimeoutMs: 200,
      log: (l) => lines.push(l),
    });
    try {
      const res = await fetch(`${open.url}/model/v1/generation`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: wire({ callback_url: "http://169.254.169.254/hook" }),
      });
      expect(res.status).toBe(200);
      // Tried (and, with no metadata service here, failed) rather than refused.
      await eventually(() => lines.length >= 2);
      expect(lines.every((l) => / failed after 1 attempts: /.test(l))).toBe(true);
    } finally {
      await open.close();
    }
  });
});

describe("the mock's logs", () => {
  it("show callback URLs without user name, password or query values", async () => {
    const lines: string[] = [];
    const quiet = await startMockServer({ port: 0, taskSeconds: 0.05, callbackRetries: 0, log: (l) => lines.push(l) });
    try {
      const url = "http://hook-user:hook-s3cret@127.0.0.1:9/hook?token=tok-s3cret&id=7";
      const res = await fetch(`${quiet.url}/model/v1/generation`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: wire({ callback_url: url }),
      });
      expect(res.status).toBe(200);
      await eventually(() => lines.length >= 2);
      for (const line of lines) {
        expect(line).toContain("to http://127.0.0.1:9/hook?token=***&id=***");
        expect(line).not.toMatch(/hook-user|s3cret/);
      }
    } finally {
      await quiet.close();
    }
    expect(safeUrl("https://a:b@example.com/x?k=v#f")).toBe("https://example.com/x?k=***#f");
  });

  it("warn when the mock listens on an address other machines can reach", async () => {
    for (const [host, warns] of [
      ["0.0.0.0", true],
      ["127.0.0.1", false],
      ["localhost", false],
    ] as const) {
      const lines: string[] = [];
      const server = await startMockServer({ host, port: 0, log: (l) => lines.push(l) });
      await server.close();
      expect(lines.some((l) => l.startsWith(`Warning: the mock listens on ${host}, not a loopback address.`))).toBe(warns);
    }
  });
});

describe("callback back-pressure", () => {
  it("with maxPendingCallbacks outstanding, creates that ask for callbacks get 503 and others still 200; room comes back as deliveries finish", async () => {
    const received: string[] = [];
    const receiver = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(req.url!);
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    const small = await startMockServer({ port: 0, taskSeconds: 0.2, maxPendingCallbacks: 4, log: () => {} });
    const create = (params: Record<string, unknown>) =>
      fetch(`${small.url}/model/v1/generation`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: wire(params),
      });
    try {
      expect((await create({ callback_url: hook })).status).toBe(200);
      expect((await create({ callback_url: hook })).status).toBe(200);
      const refused = await create({ callback_url: hook });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(isErrorResponse(await refused.json())).toBe(true);
      expect((await create({})).status).toBe(200);
      await eventually(() => received.length === 4);
      expect((await create({ callback_url: hook })).status).toBe(200);
    } finally {
      await small.close();
      receiver.close();
    }
  });
});

describe("malformed paths", () => {
  it.each(["%E0%A4%A", "%", "%zz", "%C0%80", "%ED%A0%80", "a%2"])(
    "GET /task/%s: 400 in the contract's envelope, no stack trace in the log",
    async (segment) => {
      const before = logs.length;
      const res = await call("GET", `/model/v1/generation/task/${segment}`);
      expect(res.status).toBe(400);
      expect(isErrorResponse(res.json)).toBe(true);
      expect(res.json.error).toMatchObject({ code: "invalid_request", message: expect.stringContaining("is not valid percent-encoding") });
      expect(logs.slice(before)).toEqual([]);
    },
  );

  it("a well-formed encoded id still reaches the task", async () => {
    const created = await call("POST", "/model/v1/generation", wire({ external_task_id: "order/1 ü" }));
    expect(created.status).toBe(200);
    expect((await call("GET", `/model/v1/generation/task/${encodeURIComponent("order/1 ü")}`)).json.id).toBe(created.json.id);
  });
});

describe("header values every object inherits a property for", () => {
  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "X-Kirin-Mock-Scenario: %s is an unknown scenario (400), not a hanging request",
    async (name) => {
      const res = await call("POST", "/model/v1/generation", wire({}), { "x-kirin-mock-scenario": name });
      expect(res.status).toBe(400);
      expect(res.json.error.issues).toEqual([
        expect.objectContaining({ rule: "mock-scenario", message: expect.stringContaining(`Unknown mock scenario "${name}"`) }),
      ]);
      // A status request reads the header through the same parser: the same 400, not a lookup.
      const poll = await fetch(`${mock.url}/model/v1/generation/task/none`, { headers: { ...AUTH, "x-kirin-mock-scenario": name } });
      expect(poll.status).toBe(400);
      expect((await poll.json()).error.issues[0].rule).toBe("mock-scenario");
    },
  );
});
