// The mock core behind a `fetch` function, with faults, for unit tests of the client and the poller.
// The lifecycle is the mock's own (mock/core); this file only adds what a unit test needs around
// it: tasks advance with Date.now() (so vi.useFakeTimers drives them), ids are task_1, task_2...,
// and `fault` lets a test drop a connection or answer otherwise before or after the "server" acted
// on a request. A plan can also reword what the core answers (status synonyms, no progress, a
// failure of its own) - wire variants the client must read, which the mock itself never sends.
import { createMockCore, type MockTask, systemClock } from "../../mock/core/index.js";
import { SHAPES_HEADER } from "../../mock/core/scenarios.js";
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

/** Every request reaches the core as one caller: the unit tests are not about keys. */
const OWNER = "unit-test";
const QUEUE_MS = 1_000;

export function fakeGateway(options: { plan?: FakeTaskPlan; fault?: (req: Request, n: number) => Fault | undefined } = {}) {
  const plan: FakeTaskPlan = options.plan ?? { durationMs: 30_000, progress: true };
  let ids = 0;
  const core = createMockCore({
    taskSeconds: plan.durationMs / 1000,
    queueSeconds: Math.min(QUEUE_MS, plan.durationMs) / 1000,
    shapes: "documented",
    clock: systemClock(),
    newId: (prefix) => `${prefix}_${prefix === "task" ? ++ids : n}`,
    log: () => {},
  });
  const log: { method: string; path: string; at: number }[] = [];
  let seeded = 0;
  let n = 0;

  function json(status: number, body: unknown, headers: Record<string, string> = {}) {
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", "x-request-id": `req_${n}`, ...headers },
    });
  }

  function answer(fault: { status: number; body: unknown; headers?: Record<string, string> }): Response {
    if (typeof fault.body === "string")
      return new Response(fault.body, { status: fault.status, headers: { "x-request-id": `req_${n}`, ...fault.headers } });
    return json(fault.status, fault.body, fault.headers);
  }

  /** The plan's rewording of a task the core answered. */
  function reword(task: Task): Task {
    const words = plan.words ?? {};
    const out = { ...task } as Task & Record<string, unknown>;
    if (task.status === "completed" && plan.fail !== undefined) {
      delete out.output;
      delete out.usage;
      return { ...out, status: "failed", error: plan.fail as Task["error"] };
    }
    if (task.status === "pending" && words.pending) out.status = words.pending as Task["status"];
    if (task.status === "processing" && words.running) out.status = words.running as Task["status"];
    if (task.status === "completed" && words.done) out.status = words.done as Task["status"];
    if (!plan.progress && task.status !== "completed") delete out.progress;
    return out;
  }

  async function serve(req: Request): Promise<Response> {
    const headers = new Headers(req.headers);
    headers.set("authorization", `Bearer ${OWNER}`);
    headers.set(SHAPES_HEADER, "documented");
    const body = req.method === "GET" || req.method === "HEAD" ? null : await req.text();
    const response = await core.fetch(new Request(req.url, { method: req.method, headers, body }));
    if (!response.ok || !response.headers.get("content-type")?.includes("json")) return response;
    const answer = (await response.json()) as Task;
    return json(response.status, answer.id ? reword(answer) : answer);
  }

  const fetch = async (req: Request): Promise<Response> => {
    n++;
    const url = new URL(req.url);
    log.push({ method: req.method, path: url.pathname, at: Date.now() });
    if (req.signal.aborted) throw req.signal.reason;
    const fault = options.fault?.(req, n);
    if (fault?.kind === "drop-before") {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }),
      });
    }
    if (fault?.kind === "drop-unclear") throw new TypeError("fetch failed: socket hang up");
    if (fault?.kind === "status" && !fault.after)
      return json(fault.status, { error: { code: "injected", message: `injected ${fault.status}` } }, fault.headers);
    if (fault?.kind === "answer" && !fault.after) return answer(fault);
    const response = await serve(req);
    if (fault?.kind === "drop-after") {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    }
    if (fault?.kind === "status")
      return json(fault.status, { error: { code: "injected", message: `injected ${fault.status}` } }, fault.headers);
    if (fault?.kind === "answer") return answer(fault);
    return response;
  };

  return {
    fetch,
    log,
    /** The core's task store. */
    tasks: core.store,
    /** Tasks the server made for creates (a create answered from an existing task makes none). */
    billed: () => core.store.size - seeded,
    /** Creates a task directly (as if created earlier), returns its id. */
    seed(): string {
      const now = core.clock.now();
      const task: MockTask = {
        id: `task_${++ids}`,
        owner: OWNER,
        model: "kirin_v3_i2v",
        createdAt: now,
        skewMs: 0,
        bodyHash: "",
        plan: {
          runMs: plan.durationMs,
          startsAt: Math.min(QUEUE_MS, plan.durationMs) / plan.durationMs,
          outcome: { status: "completed" },
          urlTtlMs: 3_600_000,
        },
        videoSeconds: 5,
        cost: "0.35",
        shapes: "documented",
        aspectRatio: "16:9",
      };
      seeded++;
      return core.store.add(task, now).id;
    },
  };
}
