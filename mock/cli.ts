// `npm start` and `kirin mock`: the mock Kirin API and its docs on http://127.0.0.1:4010.
import { parseArgs } from "node:util";
import { SCENARIOS, SCENARIO_HEADER, SHAPES_HEADER, shapesOf } from "./scenarios.js";
import { DEFAULTS, startMockServer } from "./server.js";

const help = (usage: string) => `Usage: ${usage} [options]

Serves a stateful mock of the Kirin V3 API, built on the contract in openapi/, with the reference
docs at /docs and a playground at /playground. Tasks walk pending -> processing -> completed
with a playable MP4.

Options (environment variable in brackets):
  --host HOST            address to listen on [KIRIN_MOCK_HOST] (default ${DEFAULTS.host})
  --port PORT            port, 0 for any free one [KIRIN_MOCK_PORT] (default ${DEFAULTS.port})
  --task-seconds N       run time of a task [KIRIN_MOCK_TASK_SECONDS] (default ${DEFAULTS.taskSeconds})
  --max-tasks N          finished tasks kept in memory [KIRIN_MOCK_MAX_TASKS] (default ${DEFAULTS.maxTasks})
  --rate-limit N         creates per second per API key; more are answered as the rate-limit
                         scenario does (429, Retry-After: 1) [KIRIN_MOCK_RATE_LIMIT] (default none)
  --shapes wire|documented
                         how answers are worded [KIRIN_MOCK_SHAPES] (default ${DEFAULTS.shapes}): wire as the
                         real gateway answers (in_progress from the first answer with progress 0 while
                         queued, no model, created_at in seconds, integer error codes), documented as
                         the reference pages show (pending -> processing -> completed). A request can
                         ask for either with the header "${SHAPES_HEADER}".
  -h, --help             show this help

Scenarios: send the header "${SCENARIO_HEADER}: NAME" with a request, or write [mock:NAME]
anywhere in a prompt:
${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.description}`).join("\n")}
`;

/** Parses `args`, starts the mock and serves it until SIGINT or SIGTERM; `usage` names the command in --help. */
export async function runMockCli(args: string[], usage = "npm start --"): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "task-seconds": { type: "string" },
      "max-tasks": { type: "string" },
      "rate-limit": { type: "string" },
      shapes: { type: "string" },
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

  const mock = await startMockServer({
    shapes,
    host: values.host ?? process.env.KIRIN_MOCK_HOST ?? DEFAULTS.host,
    port: numberOption("port", "KIRIN_MOCK_PORT", DEFAULTS.port, 0),
    taskSeconds: numberOption("task-seconds", "KIRIN_MOCK_TASK_SECONDS", DEFAULTS.taskSeconds, 0.1),
    maxTasks: numberOption("max-tasks", "KIRIN_MOCK_MAX_TASKS", DEFAULTS.maxTasks, 1),
    rateLimit: numberOption("rate-limit", "KIRIN_MOCK_RATE_LIMIT", DEFAULTS.rateLimit, 0),
  }).catch((error: NodeJS.ErrnoException) => {
    console.error(`The mock could not start: ${error.code === "EADDRINUSE" ? "the port is in use (try --port)" : error.message}`);
    process.exit(1);
  });

  console.log(`Kirin mock API on ${mock.url}
  POST ${mock.url}/model/v1/generation        create a task (any non-empty bearer token)
  GET  ${mock.url}/model/v1/generation/task/ID poll it by id or external_task_id
  docs ${mock.url}/docs
  playground ${mock.url}/playground (fill a request, watch it validate, run it, play the video)
Answers in the ${shapes === "wire" ? "real gateway's shapes (in_progress, no model, created_at in seconds)" : "documented shapes (pending -> processing -> completed)"}; --shapes or the ${SHAPES_HEADER} header switch.
Scenarios: ${SCENARIOS.map((s) => s.name).join(", ")} (see --help). Ctrl-C stops.`);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping`);
      void mock.close().then(() => process.exit(0));
    });
  }
}
