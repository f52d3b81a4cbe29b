// Delivers task callbacks: one POST per status change, each with a timeout and a few retries with
// backoff. Delivery never blocks a request, and a receiver that keeps failing is only logged.
//
// Bounded, so that receivers that never answer cannot take the mock down (10,500 such tasks once
// opened 10,155 sockets and took it to 1.1 GB): at most `concurrency` deliveries run at once, each
// on its own socket, and at most `maxPending` are outstanding - scheduled, queued, running or
// waiting to retry. Past that the mock refuses creates that ask for callbacks (503, see
// `hasRoom`) until deliveries finish: back-pressure on whoever sends them.
//
// A mock started with `--host 0.0.0.0` POSTs wherever a stranger's `callback_url` points, so
// link-local and cloud metadata addresses are refused unless allowed - by the URL's host, and by
// every address its name resolves to - and logged URLs never show credentials.
import { type LookupAddress, lookup as dnsLookup } from "node:dns";
import { type ClientRequest, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import type { WireTask } from "../src/types.js";

export interface CallbackOptions {
  /** Longest wait for a receiver's answer, per attempt. */
  timeoutMs: number;
  retries: number;
  /** First backoff; doubled on each retry. */
  backoffMs: number;
  /** Deliveries running at once; each holds one socket. */
  concurrency: number;
  /** Deliveries outstanding at once (scheduled, queued, running, waiting to retry). */
  maxPending: number;
  /** Deliver to link-local and cloud metadata addresses too. */
  allowLinkLocal: boolean;
  log: (line: string) => void;
}

interface Delivery {
  url: string;
  task: WireTask;
  attempt: number;
}

/** Why a delivery failed; `final` when trying again cannot help (a refused address). */
type Failure = { reason: string; final?: boolean };

/** Link-local ranges, where the cloud metadata services live, and the ones that live elsewhere. */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4"); // AWS, GCP, Azure, OpenStack metadata: 169.254.169.254
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");
LINK_LOCAL.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
LINK_LOCAL.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
const REFUSED = "EKIRINMOCK_REFUSED_ADDRESS";

/** Whether `address` (an IP) is link-local or a cloud metadata address. IPv4-mapped IPv6 counts. */
export function isLinkLocalOrMetadata(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** A URL as logs show it: no user name or password, every query value masked (`?token=` is a secret too). */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(not a URL)";
  }
  parsed.username = "";
  parsed.password = "";
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, "***");
  return parsed.href;
}

/** Resolves like dns.lookup, and fails when any address of the name is refused. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, (error, address: string | LookupAddress[], family?: number) => {
    if (error) return callback(error, address, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const refused = addresses.find(isLinkLocalOrMetadata);
    if (refused !== undefined) {
      const denial = Object.assign(new Error(`${hostname} resolves to ${refused}, ${ADDRESS_REASON}`), { code: REFUSED });
      return callback(denial, address, family);
    }
    callback(null, address, family);
  });
};
const ADDRESS_REASON = "a link-local or cloud metadata address (start the mock with --allow-link-local-callbacks to allow it)";

export class CallbackSender {
  private pending = 0;
  private running = 0;
  private readonly queue: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<ClientRequest>();
  private closed = false;

  constructor(private readonly options: CallbackOptions) {}

  /** Deliveries outstanding and running now, for tests and logs. */
  get load(): { pending: number; running: number; queued: number } {
    return { pending: this.pending, running: this.running, queued: this.queue.length };
  }

  /** Whether `count` more deliveries fit under `maxPending`; a create that asks for more gets 503. */
  hasRoom(count: number): boolean {
    return this.pending + count <= this.options.maxPending;
  }

  /**
   * Why the mock will not deliver to `url`, or undefined. Only the URL's own host is known here; a
   * name that resolves to a refused address is caught when the delivery connects.
   */
  refusal(url: string): string | undefined {
    if (this.options.allowLinkLocal) return undefined;
    let host: string;
    try {
      host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
    } catch {
      return undefined; // not a URL: the contract's pattern already reports it
    }
    return isLinkLocalOrMetadata(host) ? `\`callback_url\` points at ${host}, ${ADDRESS_REASON}.` : undefined;
  }

  /** Calls `view()` at each of `atMs` (ms from now) and POSTs what it returns to `url`. */
  schedule(url: string, atMs: number[], view: () => WireTask): void {
    this.pending += atMs.length;
    for (const delay of atMs) this.later(Math.max(0, delay), () => this.enqueue({ url, task: view(), attempt: 0 }));
  }

  /** Cancels every pending and running delivery (on shutdown). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
    this.queue.length = 0;
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    this.pump();
  }

  /** Starts queued deliveries while fewer than `concurrency` run. */
  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      this.running++;
      void this.deliver(delivery).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const failure = await this.post(delivery.url, delivery.task);
    if (this.closed) return;
    if (failure && !failure.final && delivery.attempt < this.options.retries) {
      this.later(this.options.backoffMs * 2 ** delivery.attempt, () => this.enqueue({ ...delivery, attempt: delivery.attempt + 1 }));
      return;
    }
    this.pending--;
    if (failure) {
      const { status, id } = delivery.task;
      const outcome = failure.final ? "refused" : `failed after ${delivery.attempt + 1} attempts`;
      this.options.log(`callback ${status} of ${id} to ${safeUrl(delivery.url)} ${outcome}: ${failure.reason}`);
    }
  }

  /** One POST: undefined for a 2xx answer, else why not. The socket closes as soon as the status is in. */
  private post(url: string, task: WireTask): Promise<Failure | undefined> {
    const refusal = this.refusal(url);
    if (refusal) return Promise.resolve({ reason: refusal, final: true });
    return new Promise((resolve) => {
      let settled = false;
      const body = JSON.stringify(task);
      const send = url.startsWith("https:") ? httpsRequest : httpRequest;
      let request: ClientRequest;
      const done = (failure: Failure | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(request);
        request.destroy();
        resolve(failure);
      };
      const timer = setTimeout(() => done({ reason: `no answer in ${this.options.timeoutMs} ms` }), this.options.timeoutMs);
      try {
        request = send(
          url,
          {
            method: "POST",
            agent: false,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "kirin-mock-callback" },
            ...(!this.options.allowLinkLocal && { lookup: guardedLookup }),
          },
          (response) => {
            const status = response.statusCode ?? 0;
            done(status >= 200 && status < 300 ? undefined : { reason: `HTTP ${status}` });
          },
        );
      } catch (error) {
        clearTimeout(timer);
        return resolve({ reason: (error as Error).message, final: true });
      }
      this.inFlight.add(request);
      request.on("error", (error: NodeJS.ErrnoException) => done({ reason: error.message, final: error.code === REFUSED }));
      request.end(body);
    });
  }
}
