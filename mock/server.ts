// The Node adapter of the mock (`npm start`, `kirin-api/mock`): an http server that hands each
// request to the mock core (as a light stand-in for a Fetch Request, see toRequest) and writes the
// core's answer back, and serves the docs beside the API. What only a socket has lives here: the bound on a body while it streams in, the
// Host a client used, and files on disk.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, BlockList, isIP } from "node:net";
import { join } from "node:path";
import { linkLocalPolicy, nodePost } from "./callbacks.js";
import { CALLBACK_DEFAULTS } from "./core/callbacks.js";
import { systemClock } from "./core/clock.js";
import { BodyTooLargeError, type MockAnswer } from "./core/errors.js";
import { CORE_DEFAULTS, createMockCore, type MockCore, type MockCoreOptions } from "./core/index.js";
import { projectRoot } from "./root.js";

export interface MockOptions
  extends Omit<MockCoreOptions, "clock" | "basePath" | "callbacks" | "callbackPost" | "callbackPolicy" | "fetch"> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Runs the mock's clock this many times faster than real time. */
  speed: number;
  /**
   * A body over `maxBodyBytes` is still read to its end, up to this many bytes, and dropped as it
   * comes, before the 413 goes out (see readBounded).
   */
  maxDiscardBytes: number;
  /** Callback deliveries running at once, each on its own socket. */
  callbackConcurrency: number;
  /** Callback deliveries outstanding at once; past it, creates with a `callback_url` get 503. */
  maxPendingCallbacks: number;
  /** Longest wait for a callback receiver's answer, per attempt. */
  callbackTimeoutMs: number;
  /** Further attempts after a failed delivery, the first after `callbackBackoffMs`, then doubling. */
  callbackRetries: number;
  callbackBackoffMs: number;
  /** POST callbacks to link-local and cloud metadata addresses too (169.254.169.254). */
  allowLinkLocalCallbacks: boolean;
}

const { callbacks: _callbacks, ...coreDefaults } = CORE_DEFAULTS;
export const DEFAULTS: MockOptions = {
  ...coreDefaults,
  host: "127.0.0.1",
  port: 4010,
  speed: 1,
  maxDiscardBytes: 4 * CORE_DEFAULTS.maxBodyBytes,
  callbackConcurrency: CALLBACK_DEFAULTS.concurrency,
  maxPendingCallbacks: CALLBACK_DEFAULTS.maxPending,
  callbackTimeoutMs: CALLBACK_DEFAULTS.timeoutMs,
  callbackRetries: CALLBACK_DEFAULTS.retries,
  callbackBackoffMs: CALLBACK_DEFAULTS.backoffMs,
  allowLinkLocalCallbacks: false,
};

export interface MockServer {
  url: string;
  core: MockCore;
  store: MockCore["store"];
  /** Creates answered with a task: `made` a new one, or `repeated` one made before (same external_task_id and body). */
  creates: MockCore["creates"];
  close(): Promise<void>;
}

const file = (path: string) => join(projectRoot(), path);

/**
 * Whether the mock runs from a checkout of the repository, where the reference and playground
 * pages are built (`npm start` builds them, `npm run docs` too). The installed package ships the
 * contract (/openapi.json) but not those pages: its mock serves the API and the contract.
 */
export const servesPages = (): boolean => existsSync(file("docs/build.mjs"));

export async function startMockServer(overrides: Partial<MockOptions> = {}): Promise<MockServer> {
  const options = { ...DEFAULTS, ...overrides };
  const {
    host,
    port,
    speed,
    maxDiscardBytes,
    callbackConcurrency,
    maxPendingCallbacks,
    callbackTimeoutMs,
    callbackRetries,
    callbackBackoffMs,
    allowLinkLocalCallbacks,
    ...coreOptions
  } = options;
  const sockets = nodePost(allowLinkLocalCallbacks);
  const core = createMockCore({
    ...coreOptions,
    clock: systemClock(speed),
    callbacks: {
      concurrency: callbackConcurrency,
      maxPending: maxPendingCallbacks,
      timeoutMs: callbackTimeoutMs,
      retries: callbackRetries,
      backoffMs: callbackBackoffMs,
    },
    callbackPost: sockets.post,
    ...(!allowLinkLocalCallbacks && { callbackPolicy: linkLocalPolicy }),
  });
  const discardLimit = Math.max(maxDiscardBytes, options.maxBodyBytes);
  let selfUrl = "";

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const page = PAGES[path];
    if (page && (req.method === "GET" || req.method === "HEAD")) {
      try {
        return page(res, selfUrl);
      } catch (error) {
        return void send(res, { status: 404, headers: { "content-type": "text/plain" }, body: (error as Error).message });
      }
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > discardLimit) {
      // More than is worth reading to its end: refused before a byte of the body is read (the
      // core words the answer), and the connection closed.
      return void core.answer(toRequest(req, selfUrl, null)).then(
        (r) => send(res, r, true),
        () => res.destroy(),
      );
    }
    readBounded(req, options.maxBodyBytes, discardLimit)
      .then((body) => core.answer(toRequest(req, selfUrl, body)))
      .then(
        (response) => send(res, response),
        (error: unknown) => {
          options.log(`internal error: ${(error as Error)?.stack ?? error}`);
          res.destroy();
        },
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  selfUrl = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  if (!isLoopback(host)) {
    options.log(
      `Warning: the mock listens on ${host}, not a loopback address. Anything that reaches it can create tasks with any key ` +
        `and have the mock POST callbacks to addresses of its choosing (link-local and metadata addresses ` +
        `${allowLinkLocalCallbacks ? "included: --allow-link-local-callbacks is on" : "excepted"}). ` +
        "Use --host 127.0.0.1 unless other machines need to reach it.",
    );
  }
  return {
    url: selfUrl,
    core,
    store: core.store,
    creates: core.creates,
    close: () =>
      new Promise<void>((resolve) => {
        core.close();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The request as the core sees it: the URL the client used (its Host), headers and body. The core
 * reads only `method`, `url`, `headers.get`, `text()` and `body`, so this hands it those directly:
 * building an undici Request (Headers, an AbortSignal, a stream) for each request halved the
 * mock's throughput and added ~30 MB at 10,000 tasks. A body that is not a plain buffer (the
 * too-large marker stream) goes through a real Request.
 */
function toRequest(req: IncomingMessage, selfUrl: string, body: BodyInit | null): Request {
  const origin = req.headers.host ? `http://${req.headers.host}` : selfUrl;
  let url: string;
  try {
    url = new URL(req.url ?? "/", origin).href;
  } catch {
    url = new URL(req.url ?? "/", selfUrl).href;
  }
  const method = req.method ?? "GET";
  const hasBody = body !== null && method !== "GET" && method !== "HEAD";
  if (hasBody && !(body instanceof Uint8Array)) {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    return new Request(url, { method, headers, body, duplex: "half" } as RequestInit);
  }
  const bytes = hasBody ? (body as Uint8Array) : undefined;
  const light = {
    method,
    url,
    headers: {
      get(name: string): string | null {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    body: bytes ? { cancel: async () => {} } : null,
    text: async () => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") : ""),
  };
  return light as unknown as Request;
}

/**
 * The body, read in full up to `limit` bytes. A larger body is still read to its end (up to
 * `discardLimit` bytes, dropped as they come) before the 413 goes out: answering mid-upload and
 * closing made the client's next write fail (EPIPE, a reset) instead of showing it the 413. Past
 * `discardLimit` reading stops and the answer goes out with the connection closed. Either way the
 * core gets a body that fails with BodyTooLargeError, which it answers with 413.
 */
function readBounded(req: IncomingMessage, limit: number, discardLimit: number): Promise<BodyInit | null> {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") {
    req.resume();
    return Promise.resolve(null);
  }
  const tooLarge = () => new ReadableStream({ start: (controller) => controller.error(new BodyTooLargeError(limit)) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > discardLimit) {
        req.removeAllListeners("data");
        req.pause();
        resolve(tooLarge());
      } else if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(size > limit ? tooLarge() : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Whether only this machine can reach `host`: localhost or a loopback address (IPv4-mapped too). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 6 ? "ipv6" : "ipv4");
}

function send(res: ServerResponse, answer: MockAnswer, close = false): void {
  const headers = close ? { ...answer.headers, connection: "close" } : answer.headers;
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
  if (body && headers["content-length"] === undefined) headers["content-length"] = String(body.length);
  res.writeHead(answer.status, headers).end(body ?? undefined);
}

function sendFile(
  res: ServerResponse,
  path: string,
  type: string,
  headers: Record<string, string> = {},
  rewrite?: (text: string) => string,
): void {
  if (!existsSync(file(path))) {
    throw new Error(
      servesPages()
        ? `${path} is not built yet: run \`npm run docs\`.`
        : "The reference and playground pages are not part of the installed package. This mock serves the API " +
            "(POST /model/v1/generation, GET /model/v1/generation/task/ID) and its contract at /openapi.json.",
    );
  }
  const data = rewrite ? Buffer.from(rewrite(readFileSync(file(path), "utf8"))) : readFileSync(file(path));
  res.writeHead(200, { "content-type": type, "content-length": data.length, ...headers }).end(data);
}

// The contract's "Local mock server" entry names the default address; the reference a mock serves
// names the address it really listens on.
const DEFAULT_MOCK_URL = `http://127.0.0.1:${DEFAULTS.port}`;

const PAGES: Record<string, (res: ServerResponse, selfUrl: string) => void> = {
  "/": (res) => void res.writeHead(302, { location: servesPages() ? "/docs" : "/openapi.json" }).end(),
  // The site's name for it too, so that the pages link to it the same way here and on a static host.
  "/reference.html": (res, selfUrl) => PAGES["/docs"]!(res, selfUrl),
  // The built page names no network address (docs/build.mjs turns Redoc's into data: URLs); the
  // policy keeps any image it might still ask for from reaching the internet.
  "/docs": (res, selfUrl) =>
    sendFile(res, "docs/reference.html", "text/html; charset=utf-8", { "content-security-policy": "img-src 'self' data: blob:" }, (html) =>
      html.replaceAll(DEFAULT_MOCK_URL, selfUrl),
    ),
  // With the slash, so that the page's relative URLs (its script, ../favicon.svg) work here and on the static site.
  "/playground": (res) => void res.writeHead(301, { location: "/playground/" }).end(),
  "/playground/": (res) => sendFile(res, "docs/playground/index.html", "text/html; charset=utf-8"),
  "/playground/playground.js": (res) => sendFile(res, "docs/playground/playground.js", "text/javascript; charset=utf-8"),
  "/openapi.json": (res, selfUrl) =>
    sendFile(res, "generated/openapi.json", "application/json", {}, (text) => text.replaceAll(DEFAULT_MOCK_URL, selfUrl)),
  "/favicon.svg": (res) => sendFile(res, "docs/assets/favicon.svg", "image/svg+xml"),
  // Browsers ask for /favicon.ico on a page that names no icon (Redoc's does not).
  "/favicon.ico": (res) => sendFile(res, "docs/assets/favicon.svg", "image/svg+xml"),
};
