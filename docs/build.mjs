// `npm run docs`: everything in docs/ that is built rather than written.
//   docs/reference.html     the Redoc reference, one self-contained page (built output, git-ignored)
//   docs/rules.md           the rules page, from the contract and docs/rule-examples.yaml (committed)
//   docs/playground/*.js    the playground's script (built output, git-ignored)
// `npm start` and the tests build only what is missing or stale (`ensureReference`), so that a
// stale rules.md is caught by its test instead of being rewritten behind your back.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildPlayground } from "./playground/build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const PAGE = `${root}docs/reference.html`;
const SPEC = `${root}generated/openapi.json`;

// Redoc's bundle names a few network addresses it may use at run time: its logo (always fetched),
// its icon CDN and a telemetry endpoint. The page must load nothing from the network, so each
// becomes a data: URL (the logo an empty SVG, which Redoc then shows as nothing).
const OFFLINE = [
  [/https:\/\/cdn\.redoc\.ly\/redoc\/[\w.-]+\.svg/g, "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"],
  [/https:\/\/cdn\.redocly\.com\/[\w./-]*/g, "data:,"],
  [/https:\/\/otel\.cloud\.redocly\.com\/[\w./-]*/g, "data:,"],
];

export function buildReference() {
  // Quiet unless it fails: Redocly prints notices (Node 20's end of life, Redoc 3) on every run.
  try {
    execFileSync(
      `${root}node_modules/.bin/redocly`,
      [
        "build-docs",
        SPEC,
        "--output",
        PAGE,
        "--inlineBundle",
        "--title",
        "Kirin V3 API reference",
        "--openapi.showExtensions=true",
        "--openapi.expandResponses=200",
      ],
      { cwd: root, stdio: "pipe" },
    );
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    throw new Error("redocly build-docs failed");
  }
  let html = readFileSync(PAGE, "utf8");
  for (const [pattern, replacement] of OFFLINE) html = html.replace(pattern, replacement);
  // An icon of its own (else the browser asks the host for /favicon.ico), and no "API docs by" box
  // left empty where Redoc's logo was.
  const icon = `data:image/svg+xml,${encodeURIComponent(readFileSync(`${root}docs/assets/favicon.svg`, "utf8").trim())}`;
  html = html.replace(
    "</head>",
    `<link rel="icon" href="${icon}"><style>a[href="https://redocly.com/redoc/"] { display: none !important; }</style></head>`,
  );
  writeFileSync(PAGE, html);
}

/** Builds the reference when it is missing or older than the contract or this script. */
export function ensureReference() {
  const stale =
    !existsSync(PAGE) ||
    [SPEC, fileURLToPath(import.meta.url), `${root}docs/assets/favicon.svg`].some((f) => statSync(f).mtimeMs > statSync(PAGE).mtimeMs);
  if (stale) {
    console.log("Building docs/reference.html (missing or older than the contract)...");
    buildReference();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  buildReference();
  execFileSync(process.execPath, ["--import", "tsx", `${root}docs/rules.ts`], { cwd: root, stdio: "inherit" });
  await buildPlayground();
  console.log("docs/reference.html, docs/rules.md and the playground built");
}
