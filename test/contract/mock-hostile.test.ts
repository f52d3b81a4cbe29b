// The mock under hostile input, over real sockets: oversized uploads, prototype keys, malformed
// paths, callbacks aimed at the machine's own metadata service, a public listening address.
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  const body = Buffer.from(JSON.stringify({ model: "kirin_v3_i2v", input: [{ params: { prompt: "p", image: "A".repeat(40 * 1024 * 1024) } }] }));
  const port = () => Number(new URL(mock.url).port);

  it("gets 413 on a fresh connection, and the upload is never cut off", async () => {
    for (let i = 0; i < 3; i++) expect(await rawUpload(port(), body)).toEqual({ statuses: ["413"], error: undefined });
  });

  it("gets 413 on a kept-alive connection after another request", async () => {
    const get = "GET /model/v1/generation/task/none HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer k\r\n\r\n";
    for (let i = 0; i < 3; i++) expect(await rawUpload(port(), body, get)).toEqual({ statuses: ["404", "413"], error: undefined });
  });

  it("the 413 is in the contract's envelope, and the mock keeps serving", async () => {
    const res = await fetch(`${mock.url}/model/v1/generation`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body });
    expect(res.status).toBe(413);
    const json = await res.json();
    expect(json.error).toMatchObject({ code: "payload_too_large", message: "The request body is larger than 33554432 bytes (32 MiB)." });
    expect(isErrorResponse(json)).toBe(true);
    expect((await call("GET", "/model/v1/generation/task/none")).status).toBe(404);
  });
});

describe("prototype keys in a create", () => {
  it.each([
    ["params under __proto__", `{"model":"kirin_v3_i2v","input":[{"params":{"__proto__":{"image":"https://x.test/a.png","prompt":"p"}}}]}`, "/input/0/params/__proto__"],
    ["the envelope under __proto__", `{"__proto__":{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p"}}]}}`, "/__proto__"],
    ["a __proto__ beside valid params", `{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p","__proto__":{"duration":"bogus"}}}]}`, "/input/0/params/__proto__"],
    ["constructor.prototype", `{"model":"kirin_v3_i2v","input":[{"params":{"image":"https://x.test/a.png","prompt":"p","constructor":{"prototype":{"x":1}}}}]}`, "/input/0/params/constructor"],
  ])("%s: 400 with the rule's issue, never 200 or 500", async (_what, text, path) => {
    const res = await call("POST", "/model/v1/generation", text);
    expect(res.status).toBe(400);
    expect(isErrorResponse(res.json)).toBe(true);
    expect(res.json.error.issues).toContainEqual(expect.objectContaining({ path, rule: "no-prototype-keys", severity: "error" }));
  });
});
