// Callback delivery for the Node server: each POST on its own socket through a DNS guard. A mock
// started with `--host 0.0.0.0` POSTs wherever a stranger's `callback_url` points, so link-local and
// cloud metadata addresses are refused unless allowed - by the URL's host (at create time, in the
// core, through `linkLocalPolicy`), and by every address its name resolves to (when it connects).
// The queue, retries and back-pressure are the core's (core/callbacks.ts).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { type ClientRequest, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import type { CallbackPolicy, CallbackPost } from "./core/callbacks.js";

export { safeUrl } from "./core/callbacks.js";

/** Link-local ranges, where the cloud metadata services live, and the ones that live elsewhere. */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4"); // AWS, GCP, Azure, OpenStack metadata: 169.254.169.254
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");
LINK_LOCAL.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
LINK_LOCAL.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
const REFUSED = "EKIRINMOCK_REFUSED_ADDRESS";
const ADDRESS_REASON = "a link-local or cloud metadata address (start the mock with --allow-link-local-callbacks to allow it)";

/** Whether `address` (an IP) is link-local or a cloud metadata address. IPv4-mapped IPv6 counts. */
export function isLinkLocalOrMetadata(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** Refuses a callback URL whose host is a link-local or metadata address. */
export const linkLocalPolicy: CallbackPolicy = (url) => {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined; // not a URL: the contract's pattern already reports it
  }
  return isLinkLocalOrMetadata(host) ? `\`callback_url\` points at ${host}, ${ADDRESS_REASON}.` : undefined;
};

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

/**
 * One POST on its own socket (no keep-alive pool to grow), closed as soon as the status is in;
 * names resolved through the guard unless link-local addresses are allowed.
 */
export function nodePost(allowLinkLocal: boolean): { post: CallbackPost; close(): void } {
  const inFlight = new Set<ClientRequest>();
  const post: CallbackPost = (url, body, timeoutMs) =>
    new Promise((resolve) => {
      let settled = false;
      const send = url.startsWith("https:") ? httpsRequest : httpRequest;
      let request: ClientRequest;
      const done = (failure: { reason: string; final?: boolean } | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight.delete(request);
        request.destroy();
        resolve(failure);
      };
      const timer = setTimeout(() => done({ reason: `no answer in ${timeoutMs} ms` }), timeoutMs);
      try {
        request = send(
          url,
          {
            method: "POST",
            agent: false,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "kirin-mock-callback" },
            ...(!allowLinkLocal && { lookup: guardedLookup }),
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
      inFlight.add(request);
      request.on("error", (error: NodeJS.ErrnoException) => done({ reason: error.message, final: error.code === REFUSED }));
      request.end(body);
    });
  return {
    post,
    close: () => {
      for (const request of inFlight) request.destroy();
      inFlight.clear();
    },
  };
}
