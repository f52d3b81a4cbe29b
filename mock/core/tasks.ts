// The mock's task store. A task's state is a function of time: it is computed when read, so 10,000
// tasks cost no timers and a few hundred bytes each. Request bodies are not kept, only their hash.
import type { WireTask } from "../../src/types.js";

export interface TaskPlan {
  /** Run time from creation to the final status, in ms. */
  runMs: number;
  /** When the task leaves `pending`, as a fraction of runMs. */
  startsAt: number;
  /** How it ends; a failure may end it before runMs. */
  outcome: { status: "completed" } | { status: "failed"; code: string; message: string; at: number };
  /** How long the video URL of a completed task stays valid after completion, in ms of task time. */
  urlTtlMs: number;
  /** Callback misbehaviour asked for by a scenario. */
  callbacks?: "twice" | "out-of-order" | "late";
}

/**
 * How the mock words its answers: `wire` as the real gateway does (`in_progress` from the first
 * answer, `progress` 0 while queued, no `model`, `created_at` in seconds, integer error codes with
 * `message`), `documented` in the seeds' form.
 */
export type Shapes = "wire" | "documented";

export interface MockTask {
  id: string;
  owner: string;
  model: string;
  createdAt: number;
  externalTaskId?: string;
  bodyHash: string;
  plan: TaskPlan;
  /** Seconds of video the task produces, and what it costs. */
  videoSeconds: number;
  cost: string;
  callbackUrl?: string;
  /** The origin and base path its create came to: the URLs in its callbacks start with it. */
  base?: string;
  /** The shapes of the create that made it: its callbacks are worded the same way. */
  shapes: Shapes;
  /** The aspect ratio of the sample video it points at. */
  aspectRatio: AspectRatio;
  /** The scenario words of its create, for the admin surface. */
  scenario?: string;
  /** Time added by fast-forwarding (the admin surface), in ms. */
  skewMs: number;
}

export type AspectRatio = "16:9" | "9:16" | "1:1";

export type Phase = "pending" | "processing" | "completed" | "failed";

/** Status and progress of a task at `now`. */
export function phaseAt(task: MockTask, now: number): { status: Phase; progress: number } {
  const { runMs, startsAt, outcome } = task.plan;
  const t = ageOf(task, now) / runMs;
  const end = outcome.status === "failed" ? outcome.at : 1;
  if (t >= end) {
    return outcome.status === "failed" ? { status: "failed", progress: progressAt(end, startsAt) } : { status: "completed", progress: 1 };
  }
  if (t < startsAt) return { status: "pending", progress: 0 };
  return { status: "processing", progress: progressAt(t, startsAt) };
}

/** How long a task has existed at `now`, fast-forwards included, in ms. */
export const ageOf = (task: MockTask, now: number) => now - task.createdAt + task.skewMs;

/** When (ms of age) the task reached its final status. */
export const endOf = (task: MockTask) => (task.plan.outcome.status === "failed" ? task.plan.outcome.at : 1) * task.plan.runMs;

/** Progress rises linearly from 0 when processing starts to 1 at the end, in steps of 0.01. */
function progressAt(t: number, startsAt: number): number {
  if (t <= startsAt) return 0;
  return Math.min(0.99, Math.floor(((t - startsAt) / (1 - startsAt)) * 100) / 100);
}

/** The moments (ms after creation) at which a task's status changes, for callbacks. */
export function statusChanges(task: MockTask): number[] {
  const { runMs, startsAt, outcome } = task.plan;
  const end = outcome.status === "failed" ? outcome.at : 1;
  return end > startsAt ? [startsAt * runMs, end * runMs] : [end * runMs];
}

/** The video URL of a completed task, valid until `expires` (ms, on the mock's clock). */
export function mediaUrl(task: MockTask, mediaBase: string): string {
  const expires = Math.round(task.createdAt - task.skewMs + endOf(task) + task.plan.urlTtlMs);
  return `${mediaBase}/media/sample-${task.aspectRatio.replace(":", "x")}.mp4?task=${task.id}&expires=${expires}`;
}

/** The task at `now`, in the contract's WireTask. `mediaBase` is the mock's own base URL. */
export function taskView(task: MockTask, now: number, mediaBase: string, shapes: Shapes): WireTask {
  const { status, progress } = phaseAt(task, now);
  const wire = shapes === "wire";
  const view: WireTask = {
    id: task.id,
    ...(!wire && { model: task.model }),
    // The gateway folds its provider's queue into `in_progress`: status cannot tell queue from run.
    status: wire && (status === "pending" || status === "processing") ? "in_progress" : status,
    progress,
    created_at: wire ? Math.floor(task.createdAt / 1000) : task.createdAt,
    metadata: {},
  };
  if (task.externalTaskId !== undefined) view.external_task_id = task.externalTaskId;
  if (status === "completed") {
    view.output = [
      {
        content: [
          {
            type: "video",
            url: mediaUrl(task, mediaBase),
            duration: task.videoSeconds,
            jobId: `job_${task.id.slice(5, 17)}`,
          },
        ],
      },
    ];
    view.usage = { cost: task.cost, discount: 1 };
  }
  if (status === "failed" && task.plan.outcome.status === "failed") {
    const { code, message } = task.plan.outcome;
    // On the wire the seeds' `006001094` arrives as the integer 6001094, its text as `message`.
    view.error = wire && /^\d+$/.test(code) ? { code: Number(code), message } : { code, error_message: message };
  }
  return view;
}

/** What the mock core needs of a store; `TaskStore` keeps tasks in memory. */
export interface MockTaskStore {
  readonly size: number;
  find(owner: string, id: string): MockTask | undefined;
  findByExternalId(owner: string, externalTaskId: string): MockTask | undefined;
  /** A task by id whatever its owner (the admin surface). */
  get(id: string): MockTask | undefined;
  add(task: MockTask, now: number): MockTask;
  all(): Iterable<MockTask>;
  clear(): void;
}

export class TaskStore implements MockTaskStore {
  private readonly byId = new Map<string, MockTask>();
  private readonly byExternalId = new Map<string, string>();

  constructor(private readonly maxTasks: number) {}

  get(id: string): MockTask | undefined {
    return this.byId.get(id);
  }

  all(): Iterable<MockTask> {
    return this.byId.values();
  }

  clear(): void {
    this.byId.clear();
    this.byExternalId.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  /** A task by its id or its owner's external id; other owners' tasks do not exist for a caller. */
  find(owner: string, id: string): MockTask | undefined {
    const task = this.byId.get(id) ?? this.byId.get(this.byExternalId.get(externalKey(owner, id)) ?? "");
    return task?.owner === owner ? task : undefined;
  }

  findByExternalId(owner: string, externalTaskId: string): MockTask | undefined {
    const id = this.byExternalId.get(externalKey(owner, externalTaskId));
    return id === undefined ? undefined : this.byId.get(id);
  }

  add(stored: MockTask, now: number): MockTask {
    this.byId.set(stored.id, stored);
    if (stored.externalTaskId !== undefined) {
      this.byExternalId.set(externalKey(stored.owner, stored.externalTaskId), stored.id);
    }
    this.evict(now);
    return stored;
  }

  /**
   * Past the bound, drop the oldest finished tasks (a Map iterates in insertion order). Looks past
   * at most EVICTION_WINDOW running tasks, so a burst of creates stays O(1) each; the store may then
   * stay over the bound until those tasks finish.
   */
  private evict(now: number): void {
    let running = 0;
    for (const task of this.byId.values()) {
      if (this.byId.size <= this.maxTasks || running >= EVICTION_WINDOW) break;
      const { status } = phaseAt(task, now);
      if (status !== "completed" && status !== "failed") {
        running++;
        continue;
      }
      this.byId.delete(task.id);
      if (task.externalTaskId !== undefined) {
        this.byExternalId.delete(externalKey(task.owner, task.externalTaskId));
      }
    }
  }
}

const EVICTION_WINDOW = 64;
const externalKey = (owner: string, externalTaskId: string) => `${owner}\n${externalTaskId}`;
