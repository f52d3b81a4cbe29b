// The mock's command line: `npm start` in this repository, and `runMockCli` for the package's own
// command (`kirin mock`, also `kirin-api/mock`): the mock Kirin API and its docs on http://127.0.0.1:4010.
import { parseArgs } from "node:util";
import { SCENARIO_HEADER, SCENARIOS, SHAPES_HEADER, shapesOf } from "./core/scenarios.js";
import { DEFAULTS, servesPages, startMockServer } from "./server.js";

const help = (usage: string) => `Usage: ${usage} [options]

Serves a stateful mock of the Kirin V3 API, built on the contract in openapi/, with the contract
at /openapi.json (and, in a checkout of the repository, the reference docs at /docs and a
playground at /playground). Tasks answer as the gateway does (in_progress while queued and
running) unless --shapes documented asks for the docs' pending -> processing; each ends
completed with a playable MP4.

Options (environment variable in brackets):
  --host HOST            address to listen on [KIRIN_MOCK_HOST] (default ${DEFAULTS.host})
  --port PORT            port, 0 for any free one [KIRIN_MOCK_PORT] (default ${DEFAULTS.port})
  --task-seconds N       run time of a task [KIRIN_MOCK_TASK_SECONDS] (default ${DEFAULTS.taskSeconds})
  --max-tasks N          finished tasks kept in memory [KIRIN_MOCK_MAX_TASKS] (default ${DEFAULTS.maxTasks})
  --speed N              run the mock's clock N times faster [KIRIN_MOCK_SPEED] (default 1)
  --api-key KEY          accept only this bearer token, 401 for any other [KIRIN_MOCK_API_KEY]
                         (default: any non-empty token)
  --rate-limit N         creates per second per API key; more are answered as the rate-limit
                         scenario does (429, Retry-After: 1) [KIRIN_MOCK_RATE_LIMIT] (default none)
  --shapes wire|documented
                         how answers are worded [KIRIN_MOCK_SHAPES] (default ${DEFAULTS.shapes}): wire as the
                         real gateway answers (in_progress from the first answer with progress 0 while
                         queued, no model, created_at in seconds, integer error codes), documented as
                         the reference pages show (pending -> processing -> completed). A request can
                         ask for either with the header "${SHAPES_HEADER}".
  --allow-link-local-callbacks
                         POST callbacks to link-local and cloud metadata addresses too (169.254.169.254)
                         [KIRIN_MOCK_ALLOW_LINK_LOCAL_CALLBACKS=1] (default: refused)
  -h, --help             show this help

Callbacks: at most ${DEFAULTS.callbackConcurrency} deliveries run at once (${DEFAULTS.callbackTimeoutMs / 1000} s timeout, ${DEFAULTS.callbackRetries} retries); with
${DEFAULTS.maxPendingCallbacks} outstanding, creates that ask for callbacks get 503 until some finish. A --host
other than a loopback address prints a warning: anyone who reaches it can make the mock POST anywhere.

Scenarios: send the header "${SCENARIO_HEADER}: NAME" with a request, or write [mock:NAME]
anywhere in a prompt:
${SCENARIOS.map((s) => `  ${s.name.padEnd(22)} ${s.description}`).join("\n")}

The mock's state: GET /__mock/tasks (requests received, each task's state), DELETE /__mock/tasks
(forget everything), POST /__mock/tasks/ID/advance[?seconds=N] (fast-forward a task).
`;

/** Parses `args`, starts the mock, and stops it on SIGINT/SIGTERM. `usage` names the command in --help. */
export async function runMockCli(args: string[], usage = "npm start --"): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "task-seconds": { type: "string" },
      "max-tasks": { type: "string" },
      shapes: { type: "string" },
      speed: { type: "string" },
      "api-key": { type: "string" },
      "rate-limit": { type: "string" },
      "allow-link-local-callbacks": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(help(usage));
    process.exit(0);
  }

  function numberOption(flag: string, env: string, fallback: number, min: number): number {
    const raw = (values as Record<string, string | undefined>)[flag] ?? process.env[env];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) {
      console.error(`--${flag} (or ${env}) must be a number of at least ${min}, not "${raw}".`);
      process.exit(2);
    }
    return n;
  }

  let shapes: "wire" | "documented";
  try {
    shapes = shapesOf(values.shapes ?? process.env.KIRIN_MOCK_SHAPES) ?? DEFAULTS.shapes;
  } catch {
    console.error(`--shapes (or KIRIN_MOCK_SHAPES) must be wire or documented, not "${values.shapes ?? process.env.KIRIN_MOCK_SHAPES}".`);
    process.exit(2);
  }

  const apiKey = values["api-key"] ?? process.env.KIRIN_MOCK_API_KEY;
  const mock = await startMockServer({
    shapes,
    host: values.host ?? process.env.KIRIN_MOCK_HOST ?? DEFAULTS.host,
    port: numberOption("port", "KIRIN_MOCK_PORT", DEFAULTS.port, 0),
    taskSeconds: numberOption("task-seconds", "KIRIN_MOCK_TASK_SECONDS", DEFAULTS.taskSeconds, 0.1),
    maxTasks: numberOption("max-tasks", "KIRIN_MOCK_MAX_TASKS", DEFAULTS.maxTasks, 1),
    speed: numberOption("speed", "KIRIN_MOCK_SPEED", DEFAULTS.speed, 0.001),
    ...(apiKey && { apiKey }),
    rateLimit: numberOption("rate-limit", "KIRIN_MOCK_RATE_LIMIT", DEFAULTS.rateLimit, 0),
    allowLinkLocalCallbacks: values["allow-link-local-callbacks"] ?? process.env.KIRIN_MOCK_ALLOW_LINK_LOCAL_CALLBACKS === "1",
  }).catch((error: NodeJS.ErrnoException) => {
    console.error(`The mock could not start: ${error.code === "EADDRINUSE" ? "the port is in use (try --port)" : error.message}`);
    process.exit(1);
  });

  const pages = servesPages()
    ? `docs ${mock.url}/docs\n    playground ${mock.url}/playground (fill a request, watch it validate, run it, play the video)`
    : `contract ${mock.url}/openapi.json (the reference pages are built from the repository, not shipped in the package)`;
  console.log(`Kirin mock API on ${mock.url}
    POST ${mock.url}/model/v1/generation        create a task (${apiKey ? "bearer token as --api-key" : "any non-empty bearer token"})
    GET  ${mock.url}/model/v1/generation/task/ID poll it by id or external_task_id
    ${pages}
    state ${mock.url}/__mock/tasks (requests received, tasks; POST .../ID/advance fast-forwards)
  Answers in the ${shapes === "wire" ? "real gateway's shapes (in_progress, no model, created_at in seconds)" : "documented shapes (pending -> processing -> completed)"}; --shapes or the ${SHAPES_HEADER} header switch.
  Scenarios: ${SCENARIOS.map((s) => s.name).join(", ")} (see --help). Ctrl-C stops.`);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping`);
      void mock.close().then(() => process.exit(0));
    });
  }
}
