/// <reference types="node" />
// (The build type-checks src/ without Node's types, so that nothing else can use them unnoticed.)
// Node-only: the entry point of src/'s Node modules (`node:` imports are allowed here and in the
// modules re-exported below, nowhere else). It lets a Fetch API handler
// (such as createCallbackHandler's) serve Node's `http.createServer`. Not exported from the
// browser entry point: the build emits it as dist/node.js (`kirin-api/node`).
import type { IncomingMessage, ServerResponse } from "node:http";

export type { DownloadOptions, DownloadProgress, DownloadResult } from "./download.js";
// Saving videos, and the batch journal in a file (fsync'd), are Node-only too.
export { downloadVideo } from "./download.js";
export type { FileJournal } from "./journal-file.js";
export { openJournal } from "./journal-file.js";

export interface NodeListenerOptions {
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
}

/**
 * Wraps `(Request) => Promise<Response>` as a `(req, res)` listener for `http.createServer`, or as
 * a route of Express, Fastify's `raw` or Connect. Behind a body parser (Express's global
 * `express.json()`) the stream is already read: the parsed `req.body` is used instead.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  return (req, res) => {
    void (async () => {
      try {
        const body = parsedBody(req) ?? (await readBody(req, maxBodyBytes));
        if (body === undefined) {
          res.writeHead(413, { "content-type": "application/json", connection: "close" });
          res.end(JSON.stringify({ error: { code: "payload_too_large", message: `body over ${maxBodyBytes} bytes` } }));
          req.destroy();
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else if (value !== undefined) headers.set(name, value);
        }
        const method = req.method ?? "GET";
        const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
          method,
          headers,
          body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(body),
        });
        const response = await handler(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "internal_error", message: "the handler failed" } }));
      }
    })();
  };
}

/** The body a framework's parser already read (`req.body` once the stream has ended), as bytes. */
function parsedBody(req: IncomingMessage): Buffer | undefined {
  const body = (req as IncomingMessage & { body?: unknown }).body;
  if (body === undefined || !req.readableEnded) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
}

/** The request's body, or undefined once it grows past `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
