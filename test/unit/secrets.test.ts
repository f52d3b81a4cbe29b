// The API key never leaves the client in an error: each way it leaked once has a case here. The
// fake servers echo the Authorization header they received, as careless gateways and proxies do.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createKirinClient } from "../../src/client.js";
import { type KirinApiError, KirinConnectionError, KirinError, KirinTaskFailedError, redactor } from "../../src/errors.js";

const KEY = "sk-live-SECRET-7f3a9c21d4e5";

/** Every way an error can be shown: text, stack, JSON, Node's inspect at full depth (with causes). */
function everyView(error: unknown): string {
  return [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })].join("\n");
}

/** The error a call fails with (the test fails if it does not fail). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

/** The bearer token of a request, as the server received it. */
const tokenOf = (request: Request) => request.headers.get("authorization")!.replace(/^Bearer /, "");

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("the key is normalised once", () => {
  it.each([
    ["a trailing newline", `${KEY}\n`],
    ["a trailing CRLF", `${KEY}\r\n`],
    ["surrounding spaces and tabs", ` \t${KEY}  `],
  ])("a key read with %s is sent trimmed and redacted where the server echoes it", async (_what, given) => {
    let sent = "";
    const client = createKirinClient({
      apiKey: given,
      retries: 0,
      fetch: async (request) => {
        sent = tokenOf(request);
        return json(401, { error: { code: "unauthorized", message: `the key ${sent} is not valid` } });
      },
    });
    const error = await failure(client.getTask("t1"));
    expect(sent).toBe(KEY);
    expect(error.message).toContain("[redacted]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it.each([
    ["an inner space", "sk-live-SECRET 7f3a9c21d4e5"],
    ["an inner newline", "sk-live-SECRET\n7f3a9c21d4e5"],
    ["a NUL", "sk-live-SECRET\u00007f3a9c21d4e5"],
    ["a DEL", "sk-live-SECRET\u007f7f3a9c21d4e5"],
    ["a no-break space", "sk-live-SECRET\u00a07f3a9c21d4e5"],
  ])("a key with %s is refused at createKirinClient, without printing it", (_what, key) => {
    let error: unknown;
    try {
      createKirinClient({ apiKey: key, fetch: async () => json(200, {}) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KirinError);
    expect((error as Error).message).toMatch(/^createKirinClient: apiKey has whitespace or a control character at position 15 of 27/);
    for (const part of ["sk-live-SECRET", "7f3a9c21d4e5"]) expect(everyView(error)).not.toContain(part);
  });
});

describe("redaction covers every place the server can echo the key", () => {
  it("a response header such as x-request-id", async () => {
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      fetch: async (request) =>
        json(500, { error: { code: "internal_error", message: "failed" } }, { "x-request-id": `req-${tokenOf(request)}` }),
    });
    const error = (await failure(client.getTask("t1"))) as KirinApiError;
    expect(error.requestId).toBe("req-[redacted]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it("the request id of a successful answer too", async () => {
    const seen: (string | undefined)[] = [];
    const client = createKirinClient({
      apiKey: KEY,
      hooks: { onResponse: (event) => seen.push(event.requestId) },
      fetch: async (request) => json(200, { id: "t1", status: "in_progress" }, { "x-request-id": tokenOf(request) }),
    });
    await client.getTask("t1");
    expect(seen).toEqual(["[redacted]"]);
  });

  it("a body that holds the key deeper than any rendering used to look", async () => {
    let nested: unknown = { echo: "" };
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      fetch: async (request) => {
        nested = { echo: `Bearer ${tokenOf(request)}` };
        for (let i = 0; i < 30; i++) nested = { inner: [nested] };
        return json(400, { error: { code: "invalid_request", message: "bad", details: nested } });
      },
    });
    const error = (await failure(client.getTask("t1"))) as KirinApiError;
    expect(JSON.stringify(error.body)).toContain("Bearer [redacted]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it("a body nested thousands deep renders (cut off) instead of overflowing the stack", async () => {
    const deep = `{"error":{"message":"bad","details":${"[".repeat(5_000)}"${KEY}"${"]".repeat(5_000)}}}`;
    const client = createKirinClient({ apiKey: KEY, retries: 0, fetch: async () => new Response(deep, { status: 400 }) });
    const error = (await failure(client.getTask("t1"))) as KirinApiError;
    expect(error.serverMessage).toBe("bad");
    expect(JSON.stringify(error)).toContain("[nested more than 64 levels deep]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it("a 2xx body that is not JSON: the parser's quote of it is not kept", async () => {
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      fetch: async (request) =>
        new Response(`${tokenOf(request)} is not allowed here`, { status: 200, headers: { "content-type": "application/json" } }),
    });
    const error = await failure(client.getTask("t1"));
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect(error.message).toBe("The server answered with a body that is not JSON");
    // JSON.parse quotes the first 10 characters: a part of the key the redactor cannot recognise.
    expect(everyView(error)).not.toContain(KEY.slice(0, 8));
  });

  it("a cause chain three levels down, and a system code", async () => {
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      fetch: async (request) => {
        const root = Object.assign(new Error(`socket to proxy with ${tokenOf(request)} closed`), { code: `E_${tokenOf(request)}` });
        throw new TypeError("fetch failed", { cause: new Error("upstream", { cause: root }) });
      },
    });
    const error = await failure(client.getTask("t1"));
    expect(error).toBeInstanceOf(KirinConnectionError);
    expect(everyView(error)).not.toContain(KEY);
    expect((error as KirinConnectionError).code).toBe("E_[redacted]");
  });

  it("a failed task whose error message echoes the key", async () => {
    const client = createKirinClient({
      apiKey: KEY,
      fetch: async (request) => json(200, { id: "t1", status: "failed", error: { code: 6001099, message: `refused ${tokenOf(request)}` } }),
    });
    const error = await failure(client.waitForTask("t1"));
    expect(error).toBeInstanceOf(KirinTaskFailedError);
    expect(error.message).toBe("Task t1 failed: 006001099 refused [redacted]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it.each([
    ["a bare refusal of a create", (said: string) => ({ error: { code: `E-${said}`, message: `no ${said}`, request_id: `r-${said}` } })],
    [
      "a status wrapper",
      (said: string) => ({ status: { code: 400, error_code: `E-${said}`, message: `no ${said}` }, request_id: `r-${said}` }),
    ],
  ])("a 200 answer that refuses the create in %s, with the key in its code, words and request id", async (_what, refusal) => {
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      validate: false,
      fetch: async (request) => json(200, refusal(tokenOf(request))),
    });
    const error = (await failure(client.createTask({ model: "kirin_v3_i2v", image: "https://cdn.example.com/a.png" }))) as KirinApiError;
    expect(error.code).toBe("E-[redacted]");
    expect(error.serverMessage).toBe("no [redacted]");
    expect(error.requestId).toBe("r-[redacted]");
    expect(everyView(error)).not.toContain(KEY);
  });

  it("JSON.stringify shows the message and the cause chain, scrubbed", async () => {
    const client = createKirinClient({
      apiKey: KEY,
      retries: 0,
      fetch: async (request) => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error(`connect ECONNREFUSED (${tokenOf(request)})`), { code: "ECONNREFUSED" }),
        });
      },
    });
    const shown = JSON.parse(JSON.stringify(await failure(client.getTask("t1"))));
    expect(shown).toMatchObject({
      name: "KirinConnectionError",
      message: expect.stringContaining("[redacted]"),
      code: "ECONNREFUSED",
      category: "retry-later",
      cause: { name: "TypeError", message: "fetch failed" },
    });
  });
});

describe("redaction changes only whole occurrences of a real key", () => {
  it("a key under 8 characters is never searched for: messages, codes and request ids stay whole", async () => {
    const client = createKirinClient({
      apiKey: "e",
      retries: 0,
      fetch: async () =>
        json(503, { error: { code: "service_unavailable", message: "fetch failed here" } }, { "x-request-id": "req_e1e2" }),
    });
    const error = (await failure(client.getTask("t1"))) as KirinApiError;
    expect(error.message).toBe("503 service_unavailable: fetch failed here (request req_e1e2)");
    expect(error.code).toBe("service_unavailable");
    expect(error.requestId).toBe("req_e1e2");
  });

  it("a value without the key comes back as the same object, field names untouched", () => {
    const redact = redactor(KEY);
    const body = { error: { code: "x", message: "no key here" }, request_id: "req_1" };
    expect(redact(body)).toBe(body);
  });

  it("walks any depth without recursion, copies a shared or cyclic object once, and keeps the cycle", () => {
    const redact = redactor(KEY);
    let deep: unknown = { [`key ${KEY}`]: KEY };
    for (let i = 0; i < 20_000; i++) deep = i % 2 ? { inner: deep } : [deep];
    let leaf = redact(deep);
    for (let i = 0; i < 20_000; i++) leaf = i % 2 ? (leaf as unknown[])[0] : (leaf as { inner: unknown }).inner;
    expect(leaf).toEqual({ "key [redacted]": "[redacted]" });

    const shared = { said: `Bearer ${KEY}` };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    const copy = redact(cyclic) as typeof cyclic;
    expect(copy).not.toBe(cyclic);
    expect(copy.self).toBe(copy);
    expect(copy.a).toBe(copy.b);
    expect(copy.a).toEqual({ said: "Bearer [redacted]" });
    const clean: Record<string, unknown> = { a: { b: "nothing" } };
    clean.self = clean;
    expect(redact(clean)).toBe(clean);
  });

  it("a copy keeps a __proto__ field as data, never as the copy's prototype", () => {
    const body = JSON.parse(`{"__proto__": {"polluted": true}, "message": "${KEY}"}`);
    const copy = redactor(KEY)(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(["__proto__", "message"]);
    expect(copy.message).toBe("[redacted]");
  });
});
