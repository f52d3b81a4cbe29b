// The client with the platform's own fetch (no injected fetch) against a real loopback server:
// the path users get by default, which differs from the injected-fetch path the other tests use.
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKirinClient } from "../../src/client.js";
import { KirinNotFoundError } from "../../src/errors.js";

const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
const server = createServer(async (req: IncomingMessage, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
  const send = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  if (req.method === "POST") return send(200, { id: "task_9", model: "kirin_v3_i2v", status: "in_queue" });
  if (req.url?.endsWith("/task_9"))
    return send(200, {
      id: "task_9",
      model: "kirin_v3_i2v",
      status: "success",
      output: [{ content: [{ type: "video", url: "https://cdn.example/v.mp4" }] }],
    });
  return send(404, { error: { code: "not_found", message: "no such task" } });
});
let baseUrl = "";

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  server.closeAllConnections();
});

it("creates, reads and waits through globalThis.fetch", async () => {
  const client = createKirinClient({ apiKey: "sk-loop", baseUrl });
  const created = await client.createTask({ model: "kirin_v3_i2v", image: "https://cdn.example.com/a.jpg", prompt: "a fox" });
  expect(created.status).toBe("pending");
  const post = seen[0]!;
  expect(post.method).toBe("POST");
  expect(post.url).toBe("/model/v1/generation");
  expect(post.auth).toBe("Bearer sk-loop");
  expect(JSON.parse(post.body)).toMatchObject({ model: "kirin_v3_i2v", input: [{ params: { prompt: "a fox" } }] });
  const done = await client.waitForTask(created.id, { signal: AbortSignal.timeout(5_000) });
  expect(done.status).toBe("completed");
  await expect(client.getTask("nope")).rejects.toBeInstanceOf(KirinNotFoundError);
});
