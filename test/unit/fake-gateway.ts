// An in-memory gateway behind a `fetch` function, for unit tests of the client and the poller.
// Tasks advance with Date.now() (so vi.useFakeTimers drives them); `fault` lets a test drop a
// connection or answer with an error before or after the "server" acted on a request.
import type { Task } from "../../src/types.js";

export type Fault =
  | { kind: "drop-before" } // the request never reached the server: connection refused
  | { kind: "drop-unclear" } // the connection broke with no code that says when: it may have reached it
  | { kind: "drop-after" } // the server acted, then the connection died
  | { kind: "status"; status: number; headers?: Record<string, string>; after?: boolean }
  // Any answer, JSON or text; `after` means the server acted on the request first.
  | { kind: "answer"; status: number; body: unknown; headers?: Record<string, string>; after?: boolean };

export interface FakeTaskPlan {
  durationMs: number;
  progress?: boolean;
  /** The status words to report while pending / running / done (synonym tests). */
  words?: { pending?: string; running?: string; done?: string };
  fail?: { code: string; error_message?: string } | string;
}

export function fakeGateway(options: { plan?: FakeTaskPlan; fault?: (req: Request, n: number) => Fault | undefined } = {}) {
  const plan: FakeTaskPlan = options.plan ?? { durationMs: 30_000, progress: true };
  const tasks = new Map<string, { created: number; body: string; externalId?: string }>();
  const byExternal = new Map<string, string>();
  const log: { method: string; path: string; at: number }[] = [];
  let billed = 0;
  let n = 0;

  function view(id: string): Task {
    const t = tasks.get(id)!;
    const elapsed = Date.now() - t.created;
    const words = plan.words ?? {};
    const base = { id, model: "kirin_v3_i2v", created_at: t.created, ...(t.externalId ? { external_task_id: t.externalId } : {}) };
    if (elapsed < 1000) return { ...base, status: (words.pending ?? "pending") as Task["status"] };
    if (elapsed < plan.durationMs) {
      const progress = Math.floor((elapsed / plan.durationMs) * 100) / 100;
      return { ...base, status: (words.running ?? "processing") as Task["status"], ...(plan.progress ? { progress } : {}) };
    }
    if (plan.fail !== undefined) return { ...base, status: "failed", error: plan.fail as Task["error"] };
    return {
      ...base,
      status: (words.done ?? "completed") as Task["status"],
      progress: 1,
      output: [{ content: [{ type: "video", url: `https://cdn.example/${id}.mp4`, duration: 5 }] }],
      usage: { cost: "0.35" },
    };
  }

  function json(status: number, body: unknown, headers: Record<string, string> = {}) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "x-request-id": `req_${n}`, ...headers } });
  }

  function answer(fault: { status: number; body: unknown; headers?: Record<string, string> }): Response {
    if (typeof fault.body === "string") return new Response(fault.body, { status: fault.status, headers: { "x-request-id": `req_${n}`, ...fault.headers } });
    return json(fault.status, fault.body, fault.headers);
  }

  async function serve(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === "/model/v1/generation") {
      const text = await req.text();
      const body = JSON.parse(text) as { model: string; input: [{ params: { external_task_id?: string } }] };
      const externalId = body.input[0].params.external_task_id;
      const existing = externalId ? byExternal.get(externalId) : undefined;
      if (existing) {
        if (tasks.get(existing)!.body !== text) return json(409, { error: { code: "conflict", message: "external_task_id names another request" } });
        return json(200, view(existing));
      }
      const id = `task_${tasks.size + 1}`;
      tasks.set(id, { created: Date.now(), body: text, ...(externalId ? { externalId } : {}) });
      if (externalId) byExternal.set(externalId, id);
      billed++;
      return json(200, view(id));
    }
    const m = /^\/model\/v1\/generation\/task\/(.+)$/.exec(url.pathname);
    if (req.method === "GET" && m) {
      const key = decodeURIComponent(m[1]!);
      const id = tasks.has(key) ? key : byExternal.get(key);
      if (!id) return json(404, { error: { code: "not_found", message: `no task ${key}` } });
      return json(200, view(id));
    }
    return json(404, { error: { code: "not_found", message: "no such path" } });
  }

  const fetch = async (req: Request): Promise<Response> => {
    n++;
    const url = new URL(req.url);
    log.push({ method: req.method, path: url.pathname, at: Date.now() });
    if (req.signal.aborted) throw req.signal.reason;
    const fault = options.fault?.(req, n);
    if (fault?.kind === "drop-before") {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }) });
    }
    if (fault?.kind === "drop-unclear") throw new TypeError("fetch failed: socket hang up");
    if (fault?.kind === "status" && !fault.after) return json(fault.status, { error: { code: "injected", message: `injected ${fault.status}` } }, fault.headers);
    if (fault?.kind === "answer" && !fault.after) return answer(fault);
    const response = await serve(req);
    if (fault?.kind === "drop-after") {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    }
    if (fault?.kind === "status") return json(fault.status, { error: { code: "injected", message: `injected ${fault.status}` } }, fault.headers);
    if (fault?.kind === "answer") return answer(fault);
    return response;
  };

  return {
    fetch,
    log,
    tasks,
    billed: () => billed,
    /** Creates a task directly (as if created earlier), returns its id. */
    seed(): string {
      const id = `task_${tasks.size + 1}`;
      tasks.set(id, { created: Date.now(), body: "{}" });
      return id;
    },
  };
}
