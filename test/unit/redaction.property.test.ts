// Properties of redaction. 1: whatever real key a user gives (8 to 128 characters, read with
// surrounding whitespace), wherever a careless server echoes it - an error body, deep inside one, a
// header, a text body, a task's error, a thrown fetch error - no rendering of the resulting error
// shows it. 2: for any key at all (1 to 128 characters), text without the key is left exactly as it
// was: messages, codes and request ids.
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKirinClient } from "../../src/client.js";
import { KirinApiError, redactor } from "../../src/errors.js";

const RUNS = 300;
const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const realKey = fc.string({ unit: printable, minLength: 8, maxLength: 128 });
const whitespace = fc.constantFrom("", " ", "\n", "\r\n", "\t", " \t\n");
const words = fc.string({ maxLength: 30 });
const PLACES = ["message", "nested", "header", "text", "text-2xx", "task", "thrown"] as const;
type Place = (typeof PLACES)[number];

/** Every way an error can be shown. */
function renderings(error: unknown): string[] {
  return [String(error), String((error as Error).stack), JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })];
}

/** The key as each rendering could spell it: as is, escaped in JSON, escaped by inspect. */
const spellings = (key: string) => [...new Set([key, JSON.stringify(key).slice(1, -1), inspect(key).slice(1, -1)])];

/** A fetch that echoes the bearer token it received at `place`. */
function echoing(place: Place, status: number, depth: number, before: string, after: string) {
  return async (request: Request): Promise<Response> => {
    const token = request.headers.get("authorization")!.slice("Bearer ".length);
    const said = `${before}${token}${after}`;
    const json = (code: number, body: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status: code, headers: { "content-type": "application/json", ...headers } });
    switch (place) {
      case "message":
        return json(status, { error: { code: "refused", message: said } });
      case "nested": {
        let deep: unknown = { echo: said };
        for (let i = 0; i < depth; i++) deep = i % 2 ? { inner: deep } : [deep];
        return json(status, { error: { code: "refused", message: "no", details: deep } });
      }
      case "header":
        return json(status, { error: { code: "refused", message: "no" } }, { "x-request-id": `req-${token}` });
      case "text":
        return new Response(`<html><title>${said}</title></html>`, { status });
      case "text-2xx":
        return new Response(said, { status: 200, headers: { "content-type": "application/json" } });
      case "task":
        return json(200, { id: "t1", status: "failed", error: { code: 6001094, message: said }, metadata: { echo: said } });
      case "thrown":
        throw new TypeError(`fetch failed: ${said}`, { cause: Object.assign(new Error(said), { code: "ECONNRESET" }) });
    }
  };
}

describe("redaction, property 1: a real key never shows in any rendering of an error", () => {
  it(`holds for ${RUNS} random keys echoed in random places`, async () => {
    await fc.assert(
      fc.asyncProperty(
        realKey,
        whitespace,
        whitespace,
        fc.constantFrom(...PLACES),
        fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 502, 503),
        fc.integer({ min: 1, max: 100 }),
        words,
        words,
        async (key, lead, trail, place, status, depth, before, after) => {
          const client = createKirinClient({
            apiKey: `${lead}${key}${trail}`,
            retries: 0,
            fetch: echoing(place, status, depth, before, after),
          });
          // A failed task fails the wait; every other place fails the one request.
          const call = place === "task" ? client.waitForTask("t1") : client.getTask("t1");
          const error = await call.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(Error);
          for (const shown of renderings(error)) {
            for (const spelled of spellings(key)) expect(shown.includes(spelled), `${place}: ${shown}`).toBe(false);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("redaction, property 2: text without the key is unchanged, for any key", () => {
  const anyKey = fc.string({ minLength: 1, maxLength: 128 });

  it(`holds for ${RUNS} keys and messages through the redactor`, () => {
    fc.assert(
      fc.property(anyKey, fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 4 }), (key, message, body) => {
        fc.pre(!message.includes(key) && !JSON.stringify(body).includes(key));
        const redact = redactor(key);
        expect(redact(message)).toBe(message);
        // Not even a copy: the same value comes back.
        expect(redact(body)).toBe(body);
      }),
      { numRuns: RUNS },
    );
  });

  it(`holds for ${RUNS} keys through the client: message, code and request id stay whole`, async () => {
    const acceptedKey = anyKey.filter((k) => k.trim() !== "" && !/[\s\x00-\x1f\x7f]/.test(k));
    await fc.assert(
      fc.asyncProperty(
        acceptedKey,
        fc.string({ minLength: 1, maxLength: 80 }).filter((m) => m.trim() !== ""),
        fc.stringMatching(/^[a-z_]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        async (key, message, code, requestId) => {
          fc.pre(![message, code, requestId].some((text) => text.includes(key)));
          const fetch = async () =>
            new Response(JSON.stringify({ error: { code, message } }), { status: 400, headers: { "x-request-id": requestId } });
          const error = (await createKirinClient({ apiKey: key, retries: 0, fetch })
            .getTask("t1")
            .catch((e: unknown) => e)) as KirinApiError;
          expect(error).toBeInstanceOf(KirinApiError);
          expect({ serverMessage: error.serverMessage, code: error.code, requestId: error.requestId }).toEqual({
            serverMessage: message,
            code,
            requestId,
          });
          expect(error.message).toBe(`400 ${code}: ${message} (request ${requestId})`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
